// Package emulator is a local, faithful PeopleSoft integration gateway with
// the application server behind it, for trying integrations and testing
// psib without a PeopleSoft system.
//
// It serves the listening connectors under /PSIGW as PeopleSoft does on the
// wire: HttpListeningConnector (credentials in headers, query string or the
// IBRequest wrapper; HTTP 200 with the handler's XML, an IBResponse
// acknowledgement with a transactionid header, or an IBResponse error),
// PeopleSoftListeningConnector (internal MIME in and out) and
// PeopleSoftServiceListeningConnector (SOAP). Every request is turned into
// an internal MIME request with pkg/ibmsg, as the real gateway does before
// it calls the application server, and logged the same way.
//
// Behaviour that public sources document is reproduced; where they are
// silent the choice is listed as "assumed" in docs/emulator.md.
//
// The Server is an http.Handler for httptest; Serve adds what only a real
// listener can give, such as header names in their original case (PeopleSoft
// reads IB header names case-sensitively).
package emulator
