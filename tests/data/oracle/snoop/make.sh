#!/bin/sh
# The trace of this case: the corpus's zeek/wikipedia.pcap in Sun's snoop format.
editcap -F snoop "${TSTAT_REFERENCE:-../../../../../shared/reference}/traces/zeek/wikipedia.pcap" trace.pcap
