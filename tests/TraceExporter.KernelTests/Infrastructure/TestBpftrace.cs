using System.Text.RegularExpressions;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// The bpftrace the kernel tests run: <c>TRACE_EXPORTER_TEST_BPFTRACE</c> (e.g. scripts/bpftrace-chroot's wrapper
/// running Debian sid's bpftrace in a chroot), else <c>bpftrace</c> on PATH. Every configuration a test gives the
/// daemon gets it as <c>bpftrace.path</c>, so the suite can run once per bpftrace version.
/// </summary>
internal static partial class TestBpftrace
{
    public const string Variable = "TRACE_EXPORTER_TEST_BPFTRACE";

    public static string Path { get; } =
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } named ? named : "bpftrace";

    /// <summary>The full path of <see cref="Path"/> when it is executable, else null.</summary>
    public static string? Resolve() =>
        System.IO.Path.IsPathRooted(Path)
            ? File.Exists(Path) && (File.GetUnixFileMode(Path) & UnixFileMode.UserExecute) != 0 ? Path : null
            : KernelPrerequisites.FindOnPath(Path);

    /// <summary>
    /// The configuration with <c>bpftrace.path</c> set to <see cref="Path"/>: appended as a section of its own
    /// (so the line numbers of the test's own text stay as written), or put first in the test's <c>bpftrace:</c>
    /// section; a test that names its own path keeps it.
    /// </summary>
    public static string Configure(string config)
    {
        var pathLine = $"  path: '{Path.Replace("'", "''", StringComparison.Ordinal)}'\n";
        var section = BpftraceSection().Match(config);
        if (!section.Success)
        {
            return config + (config.EndsWith('\n') || config.Length == 0 ? "" : "\n") + "bpftrace:\n" + pathLine;
        }

        var body = config[(section.Index + section.Length)..];
        var next = TopLevelKey().Match(body);
        var sectionBody = next.Success ? body[..next.Index] : body;
        if (PathKey().IsMatch(sectionBody))
        {
            return config;
        }

        return config[..(section.Index + section.Length)] + pathLine + body;
    }

    public static string Describe() => $"bpftrace: {Path}";

    [GeneratedRegex(@"^bpftrace:[ \t]*\n", RegexOptions.Multiline)]
    private static partial Regex BpftraceSection();

    [GeneratedRegex(@"^\S", RegexOptions.Multiline)]
    private static partial Regex TopLevelKey();

    [GeneratedRegex(@"^[ \t]+path:", RegexOptions.Multiline)]
    private static partial Regex PathKey();
}
