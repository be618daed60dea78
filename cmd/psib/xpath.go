package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// evalXPath evaluates compiled expressions on doc (post --xpath, decode
// --xpath); node sets give one value per node, other results their
// string form.
func evalXPath(doc []byte, exprs []*xpath.Expr) ([]string, error) {
	if err := ibmsg.CheckXML(doc); err != nil {
		return nil, err
	}
	root, err := xmlquery.Parse(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, expr := range exprs {
		switch v := expr.Evaluate(xmlquery.CreateXPathNavigator(root)).(type) {
		case *xpath.NodeIterator:
			for v.MoveNext() {
				out = append(out, v.Current().Value())
			}
		case float64:
			out = append(out, strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", v), "0"), "."))
		default:
			out = append(out, fmt.Sprint(v))
		}
	}
	return out, nil
}
