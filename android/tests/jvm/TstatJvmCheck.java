import org.tstat.Tstat;
import java.io.File;

/**
 * Every native method of org.tstat.Tstat, called from a real JVM on the host build of
 * libtstat_android.so (android/tests/jvm.rs runs it): a file analysis of the sample trace is
 * started, polled, and read back; bad arguments and live capture in a library without the
 * `live` feature get their error codes. Prints one line per check and exits 1 on the first
 * failure.
 */
public final class TstatJvmCheck {
    private static void check(boolean ok, String what) {
        System.out.println((ok ? "ok   " : "FAIL ") + what);
        if (!ok) {
            System.exit(1);
        }
    }

    public static void main(String[] args) throws Exception {
        String trace = args[0];
        String out = args[1];
        boolean live = args.length > 2 && args[2].equals("live");
        check(Tstat.exitCode() == -1, "exitCode() is -1 before any analysis");
        check(Tstat.outputFolder() == null, "outputFolder() is null before any analysis");
        check(!Tstat.isRunning(), "isRunning() is false before any analysis");
        check(Tstat.startFileAnalysis(null, out) == -2, "startFileAnalysis(null, ...) is -2");
        int started = Tstat.startFileAnalysis(trace, out);
        check(started == 0, "startFileAnalysis(sample.pcap) started: " + started);
        long deadline = System.currentTimeMillis() + 60_000;
        while (Tstat.isRunning()) {
            check(System.currentTimeMillis() < deadline, "the analysis ends within 60 s");
            Thread.sleep(10);
        }
        check(Tstat.exitCode() == 0, "exitCode() is 0 after the analysis: " + Tstat.exitCode());
        String folder = Tstat.outputFolder();
        check(folder != null && new File(folder, "log_tcp_complete").isFile(),
              "outputFolder() holds log_tcp_complete: " + folder);
        check(folder.startsWith(out), "outputFolder() is under the given folder");
        String counters = Tstat.counters();
        check(counters.contains("log_udp_complete=2\n"), "counters() has the 2 UDP rows: " + counters.replace('\n', ' '));
        if (!live) {
            check(Tstat.startLiveCapture("lo", out) == -3,
                  "startLiveCapture() is -3 in a library without live capture");
        }
        Tstat.stop();
        check(!Tstat.isRunning(), "stop() after the end leaves nothing running");
        System.out.println("all native methods answered");
    }
}
