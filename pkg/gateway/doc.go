// Package gateway is psib's client for the PeopleSoft integration gateway
// (/PSIGW): the one place where psib speaks HTTP. post, publish, ping and
// worklist all go through it.
//
// A [Client] is built once from [Options] (base URL, timeout, TLS, a wire
// hook) and sends [Request] values to one of three listening connectors:
//
//   - [ConnectorHTTP], HttpListeningConnector: the payload as the body and
//     the credentials as headers with PeopleSoft's exact, case-sensitive
//     names ([CredsHeaders]), in the query string ([CredsQuery]) or in the
//     IBRequest body wrapper ([CredsBody]).
//   - [ConnectorPeopleSoft], PeopleSoftListeningConnector: the internal IB
//     MIME message (IBInfo and ContentSection0), as a PeopleSoft system
//     sends it to another gateway.
//   - [ConnectorSOAP], PeopleSoftServiceListeningConnector: a SOAP 1.1 or
//     1.2 envelope with SOAPAction (or the 1.2 action parameter), an
//     optional WS-Security UsernameToken, and the node credentials in the
//     query string (the connector ignores a Password header).
//
// # Outcomes
//
// PeopleSoft answers HTTP 200 for nearly everything, so the body decides.
// [Client.Post] returns a [Result] whenever the gateway gave an answer it
// could read: a handler's reply (Status nil), an async acknowledgement (with
// its TransactionID), or an IB error (IBResponse type="error", IBInfo
// StatusCode != 0, a SOAP fault; Status set, [Result.Err] a
// *ibmsg.StatusError). It returns an *[Error] when no usable IB answer came,
// classified for the exit-code contract:
//
//   - [ClassTransport]: nothing was delivered (connection refused, DNS, TLS
//     handshake, proxy, a timeout before the request was written). Safe to
//     retry; [Request.Retries] retries only these and HTTP 503/429.
//   - [ClassUnknown]: the request was written but no complete answer came
//     (timeout, reset, EOF). It may have been processed, so it is never
//     retried.
//   - [ClassHTTP]: an HTTP status with a body that is not an IB answer: an
//     HTML error page from the web server, 401/403 from a proxy
//     ([Error.Auth]), a redirect (never followed: a POST must not turn into
//     a GET of a login page).
//
// The classification rests on net/http/httptrace: the WroteRequest event
// says whether the whole request reached the socket.
//
// Invalid input is a *[RequestError] and a bad TLS file a *[ConfigError];
// nothing is sent for either.
//
// # Wire dumps and secrets
//
// [Options.Wire] receives each request before it is sent and each response
// after it is read, as HTTP/1.1 text ([WireEvent]). Node passwords,
// WS-Security passwords and Authorization values are replaced by REDACTED
// ([ibmsg.Redact]) unless [Options.ShowSecrets] is set. Error messages never
// contain a password: they name hosts and timeouts, never URLs (a query
// string may carry the node password).
//
// # Choices where PeopleSoft is silent
//
//   - Requests are HTTP/1.1 only, so header names keep their case (HTTP/2
//     lower-cases every name, and PeopleSoft reads IB names case-sensitively).
//   - Response bodies are not requested compressed (no Accept-Encoding), so
//     [Result.Raw] and the wire dump are the bytes the gateway sent.
//   - Idle keep-alive connections are dropped after 20s, under WebLogic's
//     30s keep-alive default, so that a POST rarely meets a connection the
//     server has just closed (that failure would be ClassUnknown).
//   - The PeopleSoft connector is sent the message's own Content-Type
//     (multipart/related with its boundary), as MIME readers expect; async
//     content is zlib-compressed and base64-encoded, as the gateway does
//     for async traffic (algorithm assumed, see ibmsg); sync content is 8bit.
//   - "null" transaction ids (PeopleSoft's way of saying none) are reported
//     as "".
//
// # Limits
//
// A response body is read up to 256 MiB; a larger answer is ClassUnknown.
// Options.Timeout bounds each attempt (connect, send, wait, read); retries
// and their backoff come on top. The response dump shows header names as Go
// reports them (canonical case): net/http does not keep the received
// spelling.
package gateway
