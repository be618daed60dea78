// Package ibmsg encodes and decodes the wire formats of PeopleSoft
// Integration Broker (IB). It is the one place in psib that knows them:
// commands, the gateway client, the log decoder, the linter and the emulator
// all encode and decode through this package.
//
// The formats:
//
//   - IBInfo ([IBInfo]): the XML document that carries a message's
//     credentials and routing (requests) or its status (responses).
//   - The internal MIME message ([Message]): multipart/related with an IBInfo
//     part and content sections, exchanged between the gateway and the
//     application server and written to the gateway logs. [ParseMessage] reads
//     it leniently; [Message.Encode] writes it the way PeopleSoft does.
//   - External documents of the HTTP listening connector: the IBResponse
//     answer ([Response], including SOAP faults that wrap one and the legacy
//     reply/operations/exception form) and the IBRequest body wrapper
//     ([Request]).
//   - Listening-connector credentials as HTTP headers or a query string
//     ([Credentials]), with PeopleSoft's exact, case-sensitive names.
//   - PeopleSoft timestamps ([ParseTimestamp], [FormatTimestamp]), the
//     PsNonXml wrapper for non-XML payloads ([WrapNonXML], [UnwrapNonXML]),
//     and section compression (base64 over gzip, zlib or raw deflate).
//   - The message catalog ([LookupCatalog]): (set, number) pairs explained.
//
// Facts about the formats come from Oracle's PeopleBooks and public captures;
// they are listed with their sources in psib's docs/ib-protocol notes. Where
// the sources are silent, the choice is marked "assumed" in the comment that
// makes it.
//
// # Safety
//
// XML is parsed without DTDs: a document that carries a DOCTYPE is refused
// with [ErrUnsafeXML] (IB documents never need one, and DTD entities are the
// classic attack on IB listeners, CVE-2013-3821). Every parser returns an
// error for bad input and never panics.
//
// # Limits
//
// [Limits] bounds what a parser accepts: a decoded (decompressed) section is
// at most 256 MiB by default, a MIME header block at most 1,000 fields, a
// header line at most 1 MiB. Past a limit the parser returns [ErrTooLarge].
package ibmsg
