package audit

// datapackage.json in the style of the Open Fiscal Data Package: a Tabular
// Data Package whose resources are the three trail files, each with the same
// Table Schema, and a "model" that maps the columns to the fiscal measure
// (amount, CNY) and its dimensions.

type dpConstraints struct {
	Required bool     `json:"required,omitempty"`
	Enum     []string `json:"enum,omitempty"`
	Pattern  string   `json:"pattern,omitempty"`
}

type dpField struct {
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	Format      string         `json:"format,omitempty"`
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	Constraints *dpConstraints `json:"constraints,omitempty"`
}

type dpSchema struct {
	Fields        []dpField `json:"fields"`
	PrimaryKey    []string  `json:"primaryKey"`
	MissingValues []string  `json:"missingValues"`
}

type dpResource struct {
	Name      string         `json:"name"`
	Path      string         `json:"path"`
	Profile   string         `json:"profile"`
	Format    string         `json:"format"`
	Mediatype string         `json:"mediatype"`
	Encoding  string         `json:"encoding,omitempty"`
	Bytes     int64          `json:"bytes"`
	Hash      string         `json:"hash"`
	Rows      int64          `json:"rows"`
	Dialect   map[string]any `json:"dialect,omitempty"`
	Schema    dpSchema       `json:"schema"`
}

type dpAttribute struct {
	Source string `json:"source"`
}

type dpDimension struct {
	DimensionType      string                 `json:"dimensionType"`
	ClassificationType string                 `json:"classificationType,omitempty"`
	PrimaryKey         []string               `json:"primaryKey"`
	Attributes         map[string]dpAttribute `json:"attributes"`
}

type dpMeasure struct {
	Source   string `json:"source"`
	Title    string `json:"title"`
	Currency string `json:"currency"`
	Factor   int    `json:"factor"`
	Phase    string `json:"phase"`
}

type dpModel struct {
	Measures   map[string]dpMeasure   `json:"measures"`
	Dimensions map[string]dpDimension `json:"dimensions"`
}

type dpPackage struct {
	Profile     string       `json:"profile"`
	Name        string       `json:"name"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Created     string       `json:"created"`
	CountryCode string       `json:"countryCode"`
	Filters     Filter       `json:"filters"`
	Resources   []dpResource `json:"resources"`
	Model       dpModel      `json:"model"`
}

// fieldRules adds constraints and formats beyond the column table's.
var fieldRules = map[string]dpField{
	"voucher_no":  {Constraints: &dpConstraints{Pattern: `[0-9]{4}-[0-9]{8}`}},
	"type":        {Constraints: &dpConstraints{Enum: []string{"receipt", "allocation", "expenditure", "subsidy_payment", "reversal"}}},
	"base_type":   {Constraints: &dpConstraints{Enum: []string{"receipt", "allocation", "expenditure", "subsidy_payment"}}},
	"category":    {Constraints: &dpConstraints{Enum: []string{"basic", "improvement", "upgrade"}}},
	"recorded_at": {Format: "any"},
}

func dpFields() []dpField {
	fs := make([]dpField, len(columns))
	for i, c := range columns {
		f := dpField{Name: c.Name, Type: c.Typ, Title: c.Zh + " / " + c.En, Description: c.Desc}
		if r, ok := fieldRules[c.Name]; ok {
			f.Format, f.Constraints = r.Format, r.Constraints
		}
		if c.Required {
			if f.Constraints == nil {
				f.Constraints = &dpConstraints{}
			}
			f.Constraints.Required = true
		}
		fs[i] = f
	}
	return fs
}

func attrs(names ...string) map[string]dpAttribute {
	m := make(map[string]dpAttribute, len(names))
	for _, n := range names {
		m[n] = dpAttribute{Source: n}
	}
	return m
}

// dataPackage describes the trail files listed in m.
func dataPackage(m *Manifest) dpPackage {
	schema := dpSchema{Fields: dpFields(), PrimaryKey: []string{"transfer_id", "fund"}, MissingValues: []string{""}}
	kinds := map[string]struct{ name, mediatype, encoding string }{
		"csv":   {"trail", "text/csv", "utf-8"},
		"jsonl": {"trail-jsonl", "application/x-ndjson", "utf-8"},
		"xlsx":  {"trail-xlsx", XLSX.ContentType(), ""},
	}
	p := dpPackage{Profile: "fiscal-data-package", Name: "renofund-fund-trail",
		Title:       "老旧小区改造资金流水 / Old-community renovation fund trail",
		Description: RowDefinition, Created: m.GeneratedAt, CountryCode: "CN", Filters: m.Filters}
	for _, f := range m.Files {
		k, ok := kinds[f.Format]
		if !ok {
			continue
		}
		r := dpResource{Name: k.name, Path: f.Path, Profile: "tabular-data-resource", Format: f.Format,
			Mediatype: k.mediatype, Encoding: k.encoding, Bytes: f.Bytes, Hash: "sha256:" + f.SHA256, Schema: schema}
		if f.Rows != nil {
			r.Rows = *f.Rows
		}
		switch f.Format {
		case "csv":
			r.Dialect = map[string]any{"delimiter": ",", "header": true, "doubleQuote": true, "lineTerminator": "\n"}
		case "xlsx":
			r.Dialect = map[string]any{"sheet": "trail", "header": true}
		}
		p.Resources = append(p.Resources, r)
	}
	p.Model = dpModel{
		Measures: map[string]dpMeasure{"amount": {Source: "amount", Title: "金额（元） / Amount", Currency: "CNY", Factor: 1, Phase: "executed"}},
		Dimensions: map[string]dpDimension{
			"date":           {DimensionType: "datetime", PrimaryKey: []string{"booked_on"}, Attributes: attrs("booked_on", "period", "fiscal_year")},
			"voucher":        {DimensionType: "fact", PrimaryKey: []string{"transfer_id"}, Attributes: attrs("transfer_id", "voucher_no", "voucher_seq", "type", "base_type", "summary", "reversal_of", "reversal_of_voucher", "recorded_by", "recorded_at", "prepared_by", "approved_by", "contract_id", "contract_part", "transfer_hash")},
			"fund":           {DimensionType: "classification", PrimaryKey: []string{"fund"}, Attributes: attrs("fund", "fund_kind", "direct", "fund_document_no")},
			"budget_subject": {DimensionType: "classification", ClassificationType: "functional", PrimaryKey: []string{"budget_subject"}, Attributes: attrs("budget_subject")},
			"category":       {DimensionType: "classification", PrimaryKey: []string{"category"}, Attributes: attrs("category")},
			"flow":           {DimensionType: "other", PrimaryKey: []string{"from_holder", "to_holder"}, Attributes: attrs("from_holder", "to_holder")},
			"district":       {DimensionType: "location", PrimaryKey: []string{"district"}, Attributes: attrs("district")},
			"project":        {DimensionType: "location", PrimaryKey: []string{"project"}, Attributes: attrs("project")},
			"payer":          {DimensionType: "entity", PrimaryKey: []string{"payer_name"}, Attributes: attrs("payer_name", "payer_credit_code", "household")},
			"payee":          {DimensionType: "entity", PrimaryKey: []string{"payee_credit_code"}, Attributes: attrs("payee_name", "payee_credit_code", "payee_bank_account")},
		},
	}
	return p
}
