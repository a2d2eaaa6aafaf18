#!/bin/sh
# Seed the fuzz corpora from the reference traces (needs tshark and python3):
#   fuzz/seed.sh /path/to/shared/reference
# engine:        each classic pcap as one input (link type selector + length-prefixed frames)
# dns:           every DNS payload, one input each
# quic_initial:  the client datagrams of each IETF QUIC flow, length-prefixed, one input a flow
# udp_dpi:       the first 20 datagrams of each UDP flow, direction + length-prefixed
# tls:           every TCP segment starting with a TLS handshake record
# http:          the first 8 segments of each TCP connection, direction + length-prefixed
set -eu
ref=${1:?usage: fuzz/seed.sh REFERENCE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/corpus/engine" "$here/corpus/dns" "$here/corpus/quic_initial" "$here/corpus/udp_dpi" \
    "$here/corpus/tls" "$here/corpus/http"
find "$ref/traces" -name '*.pcap*' | while read -r t; do
    tshark -r "$t" -T fields -e udp.stream -e udp.srcport -e udp.dstport -e udp.payload -e dns.id \
        -Y udp 2>/dev/null || true
done | python3 "$here/seed.py" "$here/corpus"
find "$ref/traces" -name '*.pcap*' | while read -r t; do
    tshark -r "$t" -T fields -e tcp.stream -e tcp.srcport -e tcp.dstport -e tcp.payload \
        -Y 'tcp.len > 0' 2>/dev/null || true
done | python3 "$here/seed.py" --tcp "$here/corpus"
find "$ref/traces" -name '*.pcap' | python3 "$here/seed.py" --pcaps "$here/corpus/engine"
