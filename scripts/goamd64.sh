#!/bin/sh
# Prints v3 when this machine is a Linux x86-64 with the x86-64-v3 level
# (the features Go's GOAMD64=v3 requires, as /proc/cpuinfo lists them),
# else nothing: make build then compiles for any x86-64. See the Makefile.
[ "$(uname -s 2>/dev/null)" = Linux ] && [ "$(uname -m 2>/dev/null)" = x86_64 ] || exit 0
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null) || exit 0
for f in avx avx2 bmi1 bmi2 fma movbe abm f16c; do
  case " $flags " in *" $f "*) ;; *) exit 0 ;; esac
done
echo v3
