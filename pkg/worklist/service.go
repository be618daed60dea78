package worklist

import (
	"encoding/xml"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Service is the PT_WORKLIST service as a site names it on the wire.
type Service struct {
	// CreateAction and StatusAction are the operations' external aliases,
	// sent as the SOAPAction: CREATE_WORKLIST_ITEM.v1, GETWLINSTANCE.v1.
	CreateAction, StatusAction string
	// CreateRequest and StatusRequest are the root elements psib writes:
	// the message aliases in their namespaces.
	CreateRequest, StatusRequest xml.Name
	// CreateResponse and StatusResponse are the reply roots psib expects
	// (local names matter; namespaces are ignored when reading).
	CreateResponse, StatusResponse xml.Name

	// CreateOperation and StatusOperation are the operation names
	// (without version).
	CreateOperation, StatusOperation string
	// TargetNamespace is the WSDL's target namespace, Location its
	// soap:address, SOAPVersion its binding's SOAP version; empty (1.1)
	// unless the Service came from a WSDL.
	TargetNamespace, Location string
	SOAPVersion               ibmsg.SOAPVersion
}

// Names configures a Service without a WSDL. Empty fields take psib's
// defaults.
type Names struct {
	// CreateOperation and StatusOperation are the operation names:
	// CREATE_WORKLIST_ITEM and GETWLINSTANCE.
	CreateOperation, StatusOperation string
	// AliasVersion is the version that ends each external alias: v1 gives
	// CREATE_WORKLIST_ITEM.v1.
	AliasVersion string
	// MessageVersion is the messages' version in their namespaces:
	// VERSION_1 gives .../schemas/PT_WL_CREATE_REQUEST.VERSION_1.
	MessageVersion string
}

// Service returns the service the names describe (docs/worklist.md).
func (n Names) Service() Service {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	create := or(n.CreateOperation, ibmsg.WLCreateOperation)
	status := or(n.StatusOperation, ibmsg.WLStatusOperation)
	version := or(n.AliasVersion, ibmsg.WLAliasVersion)
	msgVersion := or(n.MessageVersion, ibmsg.WLMessageVersion)
	name := func(message, root string) xml.Name {
		return xml.Name{Space: ibmsg.WLNamespaceVersion(message, msgVersion), Local: root}
	}
	return Service{
		CreateAction:    create + "." + version,
		StatusAction:    status + "." + version,
		CreateRequest:   name(ibmsg.WLCreateRequest, ibmsg.WLCreateRequestRoot),
		StatusRequest:   name(ibmsg.WLStatusRequest, ibmsg.WLStatusRequestRoot),
		CreateResponse:  name(ibmsg.WLCreateResponse, ibmsg.WLCreateResponseRoot),
		StatusResponse:  name(ibmsg.WLStatusResponse, ibmsg.WLStatusResponseRoot),
		CreateOperation: create,
		StatusOperation: status,
	}
}

// DefaultService is psib's assumption of PT_WORKLIST's names:
// CREATE_WORKLIST_ITEM.v1 and GETWLINSTANCE.v1, the message aliases as
// roots, namespaces .../Enterprise/Tools/schemas/<MESSAGE>.VERSION_1.
func DefaultService() Service { return Names{}.Service() }
