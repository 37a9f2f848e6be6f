package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"strings"
	"testing"

	"renofund/internal/ledger"
)

// form is a document upload: the file, its subject and kind.
func form(subject, kind, name string, content []byte) (body []byte, contentType string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("subject", subject)
	if kind != "" {
		_ = mw.WriteField("kind", kind)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// evidenceCounts are the evidence tables' rows, which a refusal leaves as they were.
func (e *env) evidenceCounts() [4]int64 {
	e.T.Helper()
	var n [4]int64
	for i, table := range []string{"attachments", "attachment_contents", "attachment_bindings", "transfers"} {
		if err := e.DB.G.Raw("SELECT COUNT(*) FROM " + table).Scan(&n[i]).Error; err != nil {
			e.T.Fatal(err)
		}
	}
	return n
}

// uploadDoc sends a document as who and returns the answer.
func (e *env) uploadDoc(who, subject, kind, name string, content []byte) response {
	body, ct := form(subject, kind, name, content)
	return e.Do(who, "POST", "/v1/attachments", body, "Content-Type", ct)
}

// refuseEvidence refuses a request and checks that neither the books nor the
// evidence tables moved.
func (e *env) refuseEvidence(t *testing.T, what string, send func() response, status int, code string) {
	t.Helper()
	before, rows := e.snapshot(), e.evidenceCounts()
	r := send()
	if r.Status != status || r.Code() != code {
		t.Errorf("%s: got %d %q, want %d %q: %s", what, r.Status, r.Code(), status, code, r.Body)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("%s: refused, yet the books changed: %+v → %+v", what, before, after)
	}
	if after := e.evidenceCounts(); after != rows {
		t.Errorf("%s: refused, yet the evidence changed: %v → %v", what, rows, after)
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestEvidence: documents attach to contracts, acceptances and transfers in
// scope, once per content; a payment names documents uploaded beforehand,
// whose digest enters its hash, once; every refusal writes nothing; and
// verification names the attachment that was altered, re-pointed or
// removed.
func TestEvidence(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		payee := e.Must("finance", "POST", "/v1/payees", payeeBody("E"), 201)["id"].(string)
		contract := e.Must("finance", "POST", "/v1/projects/HZ-001/contracts", map[string]any{"payee": payee,
			"category": "basic", "sum": "100000.00", "signed_on": "2026-01-10"}, 201)["id"].(string)
		acceptance := e.Must("hz", "POST", "/v1/contracts/"+contract+"/acceptance", map[string]any{"accepted_on": "2026-03-01",
			"result": "passed", "owner_reps": 1, "participants": []map[string]any{{"name": "业主甲", "role": "业主代表"}}}, 201)["id"].(string)

		// A contract's document, read back whole with its hash.
		pdf := []byte("%PDF-1.4 施工合同 " + strings.Repeat("x", 1000))
		r := e.uploadDoc("hz", "contract:"+contract, "contract", "合同.pdf", pdf)
		if r.Status != 201 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		doc := r.JSON(t)
		if doc["sha256"] != sha(pdf) || doc["bytes"] != float64(len(pdf)) || doc["subject"] != "contract:"+contract ||
			doc["kind"] != "contract" || doc["district"] != "HZ" || doc["project"] != "HZ-001" {
			t.Errorf("uploaded: %v", doc)
		}
		got := e.Do("auditor", "GET", "/v1/attachments/"+doc["id"].(string), nil)
		if got.Status != 200 || !bytes.Equal(got.Body, pdf) || got.Header.Get("X-Content-SHA256") != sha(pdf) {
			t.Errorf("download: %d %q", got.Status, got.Header)
		}
		list := e.Must("auditor", "GET", "/v1/attachments?subject=contract:"+contract, nil, 200)["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["id"] != doc["id"] {
			t.Errorf("list: %v", list)
		}
		// Another district's document does not exist for LY.
		if r := e.Do("ly", "GET", "/v1/attachments/"+doc["id"].(string), nil); r.Status != 404 {
			t.Errorf("ly downloads HZ's document: %d", r.Status)
		}
		if r := e.Do("ly", "GET", "/v1/attachments?subject=contract:"+contract, nil); r.Status != 404 {
			t.Errorf("ly lists HZ's contract: %d", r.Status)
		}
		if items := e.Must("ly", "GET", "/v1/attachments", nil, 200)["items"].([]any); len(items) != 0 {
			t.Errorf("ly lists HZ's documents: %v", items)
		}
		// The same content again (the acceptance certificate's copy) is stored once.
		var contents0 int64
		e.DB.G.Raw("SELECT COUNT(*) FROM attachment_contents").Scan(&contents0)
		e.Must("finance", "POST", "/v1/attachments", nil, 400) // not a form
		if r := e.uploadDoc("finance", "acceptance:"+acceptance, "acceptance_certificate", "验收.pdf", pdf); r.Status != 201 {
			t.Fatalf("acceptance upload: %d %s", r.Status, r.Body)
		}
		var contents1 int64
		e.DB.G.Raw("SELECT COUNT(*) FROM attachment_contents").Scan(&contents1)
		if contents1 != contents0 {
			t.Errorf("the same content stored twice: %d → %d", contents0, contents1)
		}

		// Refusals: each a 4xx with its code, nothing written.
		up := func(who, subject string, content []byte) func() response {
			return func() response { return e.uploadDoc(who, subject, "invoice", "发票.pdf", content) }
		}
		e.refuseEvidence(t, "LY attaching to HZ's contract", up("ly", "contract:"+contract, pdf), 404, "not_found")
		e.refuseEvidence(t, "LY attaching to HZ's acceptance", up("ly", "acceptance:"+acceptance, pdf), 404, "not_found")
		e.refuseEvidence(t, "the auditor attaching", up("auditor", "contract:"+contract, pdf), 403, "forbidden")
		e.refuseEvidence(t, "an unknown contract", up("finance", "contract:no-such", pdf), 404, "not_found")
		e.refuseEvidence(t, "an unknown acceptance", up("finance", "acceptance:no-such", pdf), 404, "not_found")
		e.refuseEvidence(t, "an unknown transfer", up("finance", "transfer:no-such", pdf), 404, "not_found")
		e.refuseEvidence(t, "a subject of no kind", up("finance", "project:HZ-001", pdf), 400, "invalid_request")
		e.refuseEvidence(t, "an empty file", up("finance", "transfer:new", nil), 400, "invalid_request")
		e.refuseEvidence(t, "an unknown kind", func() response {
			return e.uploadDoc("finance", "transfer:new", "selfie", "a.jpg", pdf)
		}, 400, "invalid_request")
		e.App.Movements.Evidence.MaxBytes = 1000
		e.refuseEvidence(t, "a file over the limit", up("finance", "transfer:new", pdf), 413, "too_large")
		e.App.Movements.Evidence.MaxBytes = 10 << 20

		// Evidence before the payment: two documents named by it, bound once.
		inv1, inv2 := []byte("发票 No.1 ¥3.00"), []byte("发票 No.2 ¥2.00")
		id1 := e.uploadDoc("hz", "transfer:new", "invoice", "1.pdf", inv1).JSON(t)["id"].(string)
		id2 := e.uploadDoc("hz", "transfer:new", "invoice", "2.pdf", inv2).JSON(t)["id"].(string)
		pending := e.Must("hz", "GET", "/v1/attachments?subject=transfer:new", nil, 200)["items"].([]any)
		if len(pending) != 2 {
			t.Errorf("pending documents: %v", pending)
		}
		pay := expenditure("HZ-001", "basic", "5.00")
		pay["attachments"] = []string{id2, id1}
		paid := e.Must("hz", "POST", "/v1/expenditures", pay, 201)
		if want := ledger.EvidenceDigest([]string{sha(inv1), sha(inv2)}); paid["evidence_digest"] != want {
			t.Errorf("evidence digest: %v, want %s", paid["evidence_digest"], want)
		}
		transfer := paid["id"].(string)
		bound := e.Must("auditor", "GET", "/v1/attachments?subject=transfer:"+transfer, nil, 200)["items"].([]any)
		if len(bound) != 2 || bound[0].(map[string]any)["bound_to"] != "transfer:"+transfer {
			t.Errorf("documents of the payment: %v", bound)
		}
		if p := e.Must("hz", "GET", "/v1/attachments?subject=transfer:new", nil, 200)["items"].([]any); len(p) != 0 {
			t.Errorf("bound documents still pending: %v", p)
		}
		spend := func(who string, project string, ids ...string) func() response {
			return func() response {
				b := expenditure(project, "basic", "1.00")
				b["attachments"] = ids
				return e.Do(who, "POST", "/v1/expenditures", b)
			}
		}
		id3 := e.uploadDoc("hz", "transfer:new", "invoice", "3.pdf", []byte("发票 No.3")).JSON(t)["id"].(string)
		e.refuseEvidence(t, "binding a document twice", spend("hz", "HZ-001", id1), 409, "attachment_bound")
		e.refuseEvidence(t, "naming a contract's document", spend("finance", "HZ-001", doc["id"].(string)), 409, "attachment_bound")
		e.refuseEvidence(t, "naming an unknown document", spend("hz", "HZ-001", "no-such"), 404, "not_found")
		e.refuseEvidence(t, "naming a document twice", spend("hz", "HZ-001", id3, id3), 400, "invalid_request")
		e.refuseEvidence(t, "LY naming HZ's document", spend("ly", "LY-001", id3), 404, "not_found")
		e.refuseEvidence(t, "paying LY on HZ's document", spend("finance", "LY-001", id3), 422, "rule_violation")
		e.refuseEvidence(t, "a batch naming one document twice", func() response {
			item := func() map[string]any {
				b := expenditure("HZ-001", "basic", "1.00")
				b["type"], b["attachments"] = "expenditure", []string{id3}
				return b
			}
			return e.Do("hz", "POST", "/v1/batches", map[string]any{"items": []map[string]any{item(), item()}})
		}, 409, "attachment_bound")
		e.refuseEvidence(t, "a receipt naming a document", func() response {
			return e.Do("finance", "POST", "/v1/batches", map[string]any{"items": []map[string]any{{"type": "receipt",
				"fund": "CG", "amount": "1.00", "received_on": "2026-03-01", "payer": map[string]any{"name": "省厅"},
				"attachments": []string{id3}}}})
		}, 400, "invalid_request")

		// A payment filed for approval binds its document when approved.
		id4 := e.uploadDoc("finance", "transfer:new", "vote_minutes", "会议纪要.pdf", []byte("业主大会决议")).JSON(t)["id"].(string)
		forced := expenditure("HZ-001", "upgrade", "1.00")
		forced["funding"], forced["force_reason"] = []map[string]any{{"fund": "CG", "amount": "1.00"}}, "应急抢修"
		forced["attachments"] = []string{id4}
		approved := e.PayApproved("finance", forced)
		if approved["evidence_digest"] != ledger.EvidenceDigest([]string{sha([]byte("业主大会决议"))}) {
			t.Errorf("approved payment's digest: %v", approved["evidence_digest"])
		}

		// After the fact, on the payment itself.
		late := e.uploadDoc("hz", "transfer:"+transfer, "acceptance_certificate", "补.pdf", []byte("补充材料"))
		if late.Status != 201 {
			t.Fatalf("late upload: %d %s", late.Status, late.Body)
		}
		lateID := late.JSON(t)["id"].(string)
		e.checkBooks()

		// Tampering: each alteration fails verification naming the attachment.
		verify := func(what, want string) {
			t.Helper()
			v := e.Must("auditor", "GET", "/v1/audit/verify", nil, 200)
			if v["ok"] != false || !strings.Contains(v["where"].(string), want) {
				t.Errorf("%s: verify %v, want a finding naming %s", what, v, want)
			}
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := e.DB.G.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		bent := bytes.Clone(inv1)
		bent[0] ^= 1
		exec("UPDATE attachment_contents SET content = ? WHERE sha256 = ?", bent, sha(inv1))
		verify("one byte altered", id1)
		exec("UPDATE attachment_contents SET content = ? WHERE sha256 = ?", inv1, sha(inv1))
		exec("UPDATE attachments SET sha256 = ? WHERE id = ?", sha(pdf), id2)
		verify("a content hash altered", id2)
		exec("UPDATE attachments SET sha256 = ? WHERE id = ?", sha(inv2), id2)
		exec("UPDATE attachment_bindings SET transfer_id = ? WHERE attachment_id = ?", approved["id"], id2)
		verify("a document moved to another payment", transfer)
		exec("UPDATE attachment_bindings SET transfer_id = ? WHERE attachment_id = ?", transfer, id2)
		if v := e.Must("auditor", "GET", "/v1/audit/verify", nil, 200); v["ok"] != true || v["attachments"] != float64(7) {
			t.Fatalf("restored: %v", v)
		}
		exec("DELETE FROM attachments WHERE id = ?", lateID)
		verify("the latest attachment deleted", "attachment chain")
		var next string
		e.DB.G.Raw("SELECT id FROM attachments WHERE chain_seq = 2").Scan(&next)
		exec("DELETE FROM attachments WHERE id = ?", doc["id"])
		verify("the first attachment deleted", "attachment "+next)
	})
}
