// Package gwlog turns what PeopleSoft integration gateways write and send
// (internal MIME messages, IBRequest/IBResponse documents, SOAP faults) into
// decoded records for people and scripts.
//
// This first part decodes whole documents ([DecodeDocument]); finding
// messages inside msgLog.html/errorLog.html and raw HTTP captures, streaming,
// builds on it.
package gwlog
