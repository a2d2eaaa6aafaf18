package org.tstat;

/**
 * tstat in an Android app: analyse a trace file into Tstat's logs, in the background.
 * The native side is libtstat_android.so (the android/ crate of the tstat repository).
 * One analysis at a time per process: a trace file, or a live capture (root or CAP_NET_RAW,
 * and a library built with the `live` feature).
 */
public final class Tstat {
    static {
        System.loadLibrary("tstat_android");
    }

    private Tstat() {}

    /**
     * Start analysing a pcap or pcapng file; logs go to outputDir/YYYY_MM_DD_HH_MM.out.
     * @return 0 when started, -1 if one is already running or outputDir cannot be made,
     *         -2 if an argument is not a readable string
     */
    public static native int startFileAnalysis(String trace, String outputDir);

    /**
     * Start capturing on a network interface (tstat -l -i iface) until stop();
     * logs go to outputDir/YYYY_MM_DD_HH_MM.out.
     * @return 0 when started, -1 if one is already running or outputDir cannot be made,
     *         -2 if an argument is not a readable string, -3 if the library was built
     *         without live capture
     */
    public static native int startLiveCapture(String iface, String outputDir);

    /** Stop the analysis: open flows are written out and the logs closed. */
    public static native void stop();

    public static native boolean isRunning();

    /** tstat's exit status once the analysis has ended (0: success), -1 before. */
    public static native int exitCode();

    /** The output folder being written, or null before tstat has created it. */
    public static native String outputFolder();

    /** Rows written so far per log, one "log_name=rows" line each. */
    public static native String counters();
}
