package ibmsg

// A batch publish reads one IBResponse acknowledgement per message, and
// encoding/xml needs three passes over each (root element, DTD check,
// decode): a quarter of psib publish's CPU. fastIBResponse reads the
// IBResponse documents gateways write (flat elements with plain or CDATA
// text) with the mini reader of ibinfo_fast.go and gives up (ok false) on
// anything else, which ParseResponse then reads, and reports, as before.
// FuzzFastIBResponse checks that both agree whenever the fast path answers.

// fastIBResponse maps a mini document onto ibResponseXML, or gives up.
func fastIBResponse(data []byte) (*Response, bool) {
	p := miniParser{b: data}
	defer p.release()
	root, ok := p.document()
	if !ok || root.name != "IBResponse" {
		return nil, false
	}
	var x ibResponseXML
	x.Type, _ = root.attr("type")
	m := &mapper{ok: true}
	seen := map[string]bool{}
	for _, k := range root.kids {
		if seen[k.name] {
			// encoding/xml keeps the last of repeated leaves and merges
			// repeated lists: not worth copying here.
			return nil, false
		}
		seen[k.name] = true
		switch k.name {
		case "DefaultTitle":
			x.DefaultTitle = Text(m.leaf(k))
		case "StatusCode":
			t := Text(m.leaf(k))
			x.StatusCode = &t
		case "TransactionID":
			x.TransactionID = Text(m.leaf(k))
		case "MessageID":
			x.MessageID = Text(m.leaf(k))
		case "DefaultMessage":
			x.DefaultMessage = Text(m.leaf(k))
		case "MsgSet":
			x.MsgSet = Text(m.leaf(k))
		case "MessageParameters":
			for _, p := range k.kids {
				if p.name != "Parameter" || len(p.kids) > 0 {
					return nil, false
				}
				x.Parameters = append(x.Parameters, string(p.text))
			}
		default:
			return nil, false
		}
		if !m.ok {
			return nil, false
		}
	}
	r, err := x.response("ibresponse")
	if err != nil {
		// Let the full reader report it.
		return nil, false
	}
	return r, true
}
