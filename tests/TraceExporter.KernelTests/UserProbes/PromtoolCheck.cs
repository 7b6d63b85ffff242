using CliWrap.Buffered;
using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary><c>promtool check metrics</c> on a scraped page: exit 0 means valid and lint-clean.</summary>
internal static class PromtoolCheck
{
    public static async Task<(bool Clean, string Report)> RunAsync(MetricsPage page)
    {
        BufferedCommandResult result = await ExternalTool.RunUncheckedAsync("promtool", ["check", "metrics"], page.Text);
        return (result.ExitCode == 0, $"promtool check metrics exited {result.ExitCode}: {result.StandardOutput}{result.StandardError}");
    }
}
