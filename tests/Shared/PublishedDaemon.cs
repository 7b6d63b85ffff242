using CliWrap;
using CliWrap.Buffered;

namespace TraceExporter.TestSupport;

/// <summary>
/// The daemon the kernel and end-to-end tests run: the native executable users get. <c>scripts/test</c>
/// publishes it once and names it in <c>TRACE_EXPORTER_TEST_DAEMON</c>; run alone, the tests publish it
/// themselves with <c>scripts/publish</c> (about a minute the first time, seconds when nothing changed).
/// A path ending in <c>.dll</c> (a JIT build) runs under <c>dotnet</c>, for comparing the two.
/// </summary>
internal sealed class PublishedDaemon
{
    public const string Variable = "TRACE_EXPORTER_TEST_DAEMON";

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    private PublishedDaemon(string path) => Path = path;

    /// <summary>The executable (or .dll) itself.</summary>
    public string Path { get; }

    /// <summary>What to start: the executable, or <c>dotnet</c> for a .dll.</summary>
    public string Program => IsDll ? "dotnet" : Path;

    private bool IsDll => Path.EndsWith(".dll", StringComparison.Ordinal);

    /// <summary>The arguments to give <see cref="Program"/> to run the daemon with these.</summary>
    public IReadOnlyList<string> Arguments(IEnumerable<string> daemonArguments) =>
        IsDll ? [Path, .. daemonArguments] : [.. daemonArguments];

    /// <summary>The daemon named by <see cref="Variable"/>, else the one <c>scripts/publish</c> makes in the repository.</summary>
    public static PublishedDaemon Locate(string repositoryRoot)
    {
        var named = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(named))
        {
            return File.Exists(named)
                ? new PublishedDaemon(System.IO.Path.GetFullPath(named))
                : throw new FileNotFoundException($"{Variable}={named}: no such file");
        }

        return new PublishedDaemon(Publish(repositoryRoot));
    }

    private static string Publish(string repositoryRoot)
    {
        using var timeout = new CancellationTokenSource(PublishTimeout);
        var result = Cli.Wrap("bash")
            .WithArguments([System.IO.Path.Combine(repositoryRoot, "scripts", "publish")])
            .WithWorkingDirectory(repositoryRoot)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token)
            .GetAwaiter().GetResult();
        var path = result.StandardOutput.Trim();
        if (result.ExitCode != 0 || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"scripts/publish exited {result.ExitCode} (set {Variable} to use a daemon published already)\n"
                + $"stdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}");
        }

        return path;
    }
}
