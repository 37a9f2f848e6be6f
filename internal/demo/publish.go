package demo

// publishEvery is how often a demo community's disclosure page is public:
// one in 63, so the first of every sixty-three carries a maintenance fund
// (one in seven) and a settled contract (one in three) when its money
// reached that far.
const publishEvery = 63

// publish makes a few communities' disclosure pages (公示) public, as the
// bureau would once their works are under way, so that /public/ has
// something to show.
func (b *builder) publish() error {
	for i, p := range b.made {
		if i%publishEvery != 0 {
			continue
		}
		if _, err := b.svc.Disclosure.Publish(b.ctx, p.Code); err != nil {
			return err
		}
		b.sum.Published++
	}
	return nil
}
