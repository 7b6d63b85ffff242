using CliWrap;
using CliWrap.Buffered;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>Runs a short-lived command to completion; a non-zero exit is an exception carrying its output.</summary>
internal static class ExternalTool
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<string> RunAsync(
        string program, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null)
    {
        var result = await RunUncheckedAsync(program, arguments, standardInput, timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{program} {string.Join(' ', arguments)}' exited {result.ExitCode}\n" +
                $"stdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}");
        }

        return result.StandardOutput;
    }

    public static async Task<BufferedCommandResult> RunUncheckedAsync(
        string program, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var command = Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        }

        try
        {
            return await command.ExecuteBufferedAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"'{program} {string.Join(' ', arguments)}' did not finish within {timeout ?? DefaultTimeout}");
        }
    }
}
