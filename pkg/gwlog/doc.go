// Package gwlog finds and decodes the IB messages in what PeopleSoft
// integration gateways write and send: msgLog.html and errorLog.html, raw
// HTTP captures, internal MIME messages, IBRequest/IBResponse documents.
//
// [Decode] reads a log as a stream and hands each message to a [Handler] as
// a [Record] (the shape of psib's decode JSON contract), in input order,
// with the 1-based line where the message starts. [DecodeDocument] and
// [FromMessage] decode one known document or parsed message. [NewReader]
// undoes gzip (rotated logs), detected by content; a [Follower] reads a
// growing log like tail -F.
//
// # Finding messages
//
// The logs' HTML layout is not documented and differs between PeopleTools
// releases, so messages are found by their content, not by the page:
//
//   - The layout is taken out first. Tags with HTML's own element names are
//     layout: <br>, <p> and <div> break lines; the edges of <pre>,
//     <textarea>, table cells and rows and <hr> end a content block (a
//     message never spans two). Other tags (<IBInfo>, the payload's) are
//     text, and so is a CDATA section. Entities are undone per message:
//     when its text has entities and no raw markup, it was HTML-escaped;
//     otherwise (XML written into the page as is, <textarea> style) its
//     own &amp; must stay.
//   - Internal MIME messages start at a "Message-ID:" (also after a log
//     prefix), "MIME-Version:" or multipart "Content-Type:" header and end
//     at the closing delimiter of the boundary their header declares; a
//     message flattened onto one line (as PeopleBooks renders them) is
//     taken whole. Error replies with only the IBInfo part are messages
//     like any other.
//   - Raw HTTP requests and responses (ig.log.level 5) start at a request
//     or status line; the headers end at a blank line; the body ends with
//     its own structure (a MIME message, the XML root's end tag) or, for
//     other bodies, at Content-Length, a blank line or the next log line.
//   - XML documents whose root is IBRequest, IBResponse, IBInfo, a SOAP
//     Envelope (kept only when it is a fault) or, after an XML
//     declaration, the legacy <reply>.
//
// Inside a message, what would start another kind belongs to it (the
// IBInfo of a MIME message, the IBResponse in an HTTP body). A message ends
// early, as truncated ([ErrTruncated]), where the page's content block
// ends, where an HTTP request or status line or a "Message-ID:" line starts
// the next message, or at the end of input. Log lines (timestamps, Java
// stack traces, separators) end an HTTP header block or an unstructured
// body, never a MIME or XML message, whose payload may hold such lines.
//
// Around messages, the log entry's time (Java's Date.toString, ISO 8601,
// log4j, WebLogic, US dates; a time without a zone is in
// [Options.Location]), its description and the connector it names become
// the record's LogTime, Description and Connector. A response that does
// not name its operation takes the operation and nodes of the request it
// answers: the one with the same transaction id, else the latest
// unanswered request of the same format logged by the same connector.
//
// # Decoding
//
// MIME messages are read by ibmsg.ParseMessage (lenient; compression
// sniffed; charset honoured); the IBInfo by a fast reader for the documents
// PeopleSoft writes, checked against ibmsg.ParseIBInfo (which reads and
// reports everything else). HTTP bodies are read as MIME, IBRequest,
// IBResponse, SOAP fault, or content (base64 and compression sniffed).
// PsNonXml wrappers are unwrapped. Node passwords in IBInfo and IBRequest
// wrappers marshal as REDACTED ([Record.WithSecrets] shows them); headers,
// bodies and Raw are as found: callers redact them for display.
//
// # Errors
//
// What cannot be decoded is reported with its place ([Error]: file and
// line) and decoding goes on: a corrupt section (bad base64, broken gzip),
// a truncated message, a line or message past the size limit, a section
// that inflates past its limit (a decompression bomb). A record part of
// which failed comes with the error; nothing panics on any input (see the
// fuzz targets).
//
// # Limits
//
// Memory is bounded whatever the input's size: the input is read in 64 KiB
// chunks; one message's text and one line are kept up to
// [Options.MaxMessageBytes] (16 MiB by default; past it the message is
// reported and skipped); a decoded section up to Options.Limits'
// MaxSectionBytes (64 MiB by default), and all sections of one message up
// to its MaxDecodedBytes (4 × MaxSectionBytes by default). With N workers,
// about 2 × MaxMessageBytes of text is in flight at most.
package gwlog
