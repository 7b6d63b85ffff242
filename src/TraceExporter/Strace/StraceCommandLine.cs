namespace TraceExporter.Strace;

/// <summary>
/// strace's arguments, in one place so the daemon and <c>guard</c> read the same format:
/// <list type="bullet">
/// <item><c>-f</c> follow children, so every line starts with a pid (with <c>-o</c>);</item>
/// <item><c>-q</c> (commands strace starts) no attach/detach chatter on the command's stderr, but keep
/// <c>+++ exited with N +++</c> (<c>-qq</c> would hide exits). Without it (<c>-p</c>), strace's
/// "Process N attached" on its own stderr tells that the attach worked;</item>
/// <item><c>-I 2</c> (commands) strace reacts to SIGTERM/SIGINT (the default with <c>-o</c> ignores them) by passing
/// the signal to its command and detaching;</item>
/// <item><c>-xx</c> every string in hex: any byte in a path survives, and strings hold no quotes or spaces to trip on;</item>
/// <item><c>-s 4096</c> paths are never cut (PATH_MAX);</item>
/// <item><c>-o PATH</c> the trace goes to its own pipe, never mixed with the target's stdout/stderr;</item>
/// <item><c>--seccomp-bpf</c> for commands strace starts: only the filtered calls stop the target (much less slowdown;
/// impossible with <c>-p</c>).</item>
/// </list>
/// </summary>
public static class StraceCommandLine
{
    public static IReadOnlyList<string> Common(string outputPath) => ["-f", "-xx", "-s", "4096", "-o", outputPath];

    public static IReadOnlyList<string> Filters(IEnumerable<string> filters) => [.. filters.SelectMany(f => new[] { "-e", f })];

    public static IReadOnlyList<string> ForPid(string outputPath, IEnumerable<string> filters, int pid) =>
        [.. Common(outputPath), .. Filters(filters), "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    public static IReadOnlyList<string> ForCommand(string outputPath, IEnumerable<string> filters, string program, IEnumerable<string> arguments)
    {
        var list = filters.ToList();
        // seccomp-bpf filters by call; without a trace= filter every call is traced anyway and it only adds cost.
        string[] seccomp = list.Any(f => f.StartsWith("trace=", StringComparison.Ordinal)) ? ["--seccomp-bpf"] : [];
        return [.. Common(outputPath), "-q", "-I", "2", .. seccomp, .. Filters(list), "--", program, .. arguments];
    }
}
