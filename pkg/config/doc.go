// Package config loads psib's connection settings: the gateway URL, the
// requesting and destination nodes, the node password, the request timeout
// and TLS options.
//
// # Precedence
//
// Every setting is taken from the first of these layers that has it:
//
//  1. a command-line flag that was given (--gateway-url, --from, ...);
//  2. a PSIB_* environment variable (PSIB_GATEWAY_URL, PSIB_FROM, ...);
//  3. the profile file, when one was chosen with --profile or PSIB_PROFILE;
//  4. the default (--timeout 60s, everything else empty or false).
//
// One table of keys ties each profile key to its flag and its environment
// variable; it drives [AddFlags], [Load] and [Config.Settings], so they
// cannot disagree:
//
//	profile key                  flag                    environment
//	gateway.url                  --gateway-url           PSIB_GATEWAY_URL
//	gateway.from                 --from                  PSIB_FROM
//	gateway.to                   --to                    PSIB_TO
//	gateway.node_password        (none)                  PSIB_NODE_PASSWORD
//	gateway.node_password_file   --node-password-file    (none)
//	gateway.timeout              --timeout               PSIB_TIMEOUT
//	tls.ca_file                  --ca-file               (none)
//	tls.cert                     --cert                  (none)
//	tls.key                      --key                   (none)
//	tls.insecure                 --insecure              (none)
//
// An environment variable that is set but empty counts as unset. A flag that
// is given counts even when its value is empty, so `--from ""` clears a
// value from the environment or the profile.
//
// Environment variables are read only through [Env.LookupEnv], never from the
// process directly, so tests inject them. Each [Load] builds its own viper
// instance; none is shared and the package holds no mutable state.
//
// # Profiles
//
// --profile NAME (or PSIB_PROFILE=NAME) reads the first of
//
//	<WorkDir>/profiles/NAME.yaml
//	$XDG_CONFIG_HOME/psib/profiles/NAME.yaml   ($HOME/.config when XDG_CONFIG_HOME is unset)
//
// A project profile thus hides ("shadows") a user profile of the same name.
// Without HOME and XDG_CONFIG_HOME there are simply no user profiles. NAME is
// a plain name: no directories, no .yaml suffix. A named profile that does
// not exist is an error that lists where psib looked and which profiles
// exist. Without --profile and PSIB_PROFILE no profile is read; --profile ""
// turns off a PSIB_PROFILE.
//
// A profile is YAML with the keys of the table nested by section:
//
//	gateway:
//	  url: https://ib.example.edu:8443/PSIGW
//	  from: PSIB_EXTERNAL
//	  to: PSFT_HR
//	  node_password_file: ib-node.pw   # relative to this file's directory
//	  timeout: 2m
//	tls:
//	  ca_file: campus-ca.pem
//
// Unknown keys, values of the wrong type (timeout: abc, insecure: maybe) and
// YAML syntax errors are reported as an [*Error] naming the file and line. A
// key left empty (`from:`) counts as unset. Relative paths in a profile
// (node_password_file, tls.ca_file, tls.cert, tls.key) are resolved against
// the profile's directory; relative paths given as flags stay relative to the
// working directory.
//
// # Secrets
//
// The node password comes from --node-password-file (the file's content,
// without its trailing newline), PSIB_NODE_PASSWORD, or the profile's
// gateway.node_password or gateway.node_password_file. It is never a plain
// flag value, since command lines are visible to other users. It is kept as a
// [secret.Secret], which prints as REDACTED; no error, warning or setting
// listing contains it. A profile may not set both node_password and
// node_password_file; when the two come from different layers, the higher
// layer wins and the other is ignored. A profile that holds node_password
// inline and can be read by its group or by other users earns a warning with
// the chmod that fixes it.
//
// # Validation
//
// gateway.url, when set, must be an absolute http or https URL without
// credentials, query or fragment; a trailing slash is removed. The timeout
// must be positive. tls.cert and tls.key go together. Each error names the
// flag, environment variable or file:line the bad value came from; [*Error]
// is what the command maps to exit code 2.
//
// # Limits
//
// "~" is not expanded in profile paths. File permissions are not checked on
// Windows. Only the first YAML document of a profile is read; anchors and
// aliases work for values, merge keys (<<) do not.
package config
