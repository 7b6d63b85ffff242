using CliWrap.Buffered;
using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>One run of the real <c>trace-exporter check --config.file PATH</c>, to completion.</summary>
internal sealed record CheckRun(string ConfigFile, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for assertions that do not care which one a line went to.</summary>
    public string Output => StandardOutput + StandardError;

    public static async Task<CheckRun> RunAsync(string configFile)
    {
        var daemon = RepositoryLayout.Daemon;
        BufferedCommandResult result = await ExternalTool.RunUncheckedAsync(
            daemon.Program, daemon.Arguments(["check", "--config.file", configFile]), timeout: TimeSpan.FromMinutes(2));
        return new CheckRun(configFile, result.ExitCode, result.StandardOutput, result.StandardError);
    }

    public override string ToString() =>
        $"trace-exporter check --config.file {ConfigFile} exited {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}
