using System.Globalization;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;

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

    private static readonly Lazy<Version> RunVersion = new(ReadVersion);

    /// <summary>What <c>bpftrace --version</c> says, e.g. 0.17.0 or 0.27.1.</summary>
    public static Version Version => RunVersion.Value;

    /// <summary>
    /// A string map key as this bpftrace prints it: from 0.24 on, bpftrace deletes every space from a string
    /// key before the daemon sees it (notes/BPFTRACE.md 1.3; README, "Your own bpftrace programs").
    /// </summary>
    public static string AsPrintedKey(string key) =>
        Version >= new Version(0, 24) ? key.Replace(" ", "", StringComparison.Ordinal) : key;

    private static Version ReadVersion()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = Cli.Wrap(Path).WithArguments(["--version"]).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token).GetAwaiter().GetResult();
        var match = VersionText().Match(result.StandardOutput + result.StandardError);
        return match.Success
            ? new Version(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"'{Path} --version' said no version: {result.StandardOutput}{result.StandardError}");
    }

    [GeneratedRegex(@"bpftrace v?(\d+)\.(\d+)")]
    private static partial Regex VersionText();

    [GeneratedRegex(@"^bpftrace:[ \t]*\n", RegexOptions.Multiline)]
    private static partial Regex BpftraceSection();

    [GeneratedRegex(@"^\S", RegexOptions.Multiline)]
    private static partial Regex TopLevelKey();

    [GeneratedRegex(@"^[ \t]+path:", RegexOptions.Multiline)]
    private static partial Regex PathKey();
}
