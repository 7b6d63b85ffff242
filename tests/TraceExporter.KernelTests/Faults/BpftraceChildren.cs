using System.Text.RegularExpressions;
using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.Faults;

/// <summary>The bpftrace processes a daemon runs: its descendants named bpftrace (setpriv execs it, same pid).</summary>
internal static partial class BpftraceChildren
{
    public static IReadOnlyList<ProcessEntry> Of(DaemonProcess daemon) =>
        ProcessTable.Descendants(daemon.ProcessId).Where(p => p.Comm == "bpftrace" && p.State != 'Z').ToList();

    /// <summary>The pids of every "probe(s) attached (bpftrace pid N)" line the daemon logged, in order.</summary>
    public static IReadOnlyList<int> AttachedPidsLogged(DaemonProcess daemon) =>
        AttachedLine().Matches(daemon.Output).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    public static string Describe(IEnumerable<ProcessEntry> processes) => $"[{string.Join("; ", processes)}]";

    [GeneratedRegex(@"probe\(s\) attached \(bpftrace pid (\d+)\)")]
    private static partial Regex AttachedLine();
}
