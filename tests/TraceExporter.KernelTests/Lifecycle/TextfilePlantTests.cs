using System.Globalization;
using TraceExporter.KernelTests.Infrastructure;
using TraceExporter.KernelTests.UserProbes;
using Xunit;

namespace TraceExporter.KernelTests.Lifecycle;

/// <summary>
/// The real <c>once --textfile</c> into a directory where someone planted, at every name the old code could pick
/// (<c>.trace.prom.PID.tmp</c> for the next few thousand pids), a symlink to a file root should not write or a
/// FIFO: the symlinks' target is untouched and once finishes.
/// </summary>
public sealed class TextfilePlantTests
{
    private const int Planted = 4000;

    [SkippableFact]
    public async Task Once_writes_its_page_past_planted_symlinks_and_fifos_and_leaves_their_target_untouched()
    {
        KernelPrerequisites.Require();
        var dir = Directory.CreateTempSubdirectory("te-kt-textfile-").FullName;
        try
        {
            var victim = Path.Combine(dir, "victim");
            await File.WriteAllTextAsync(victim, "precious\n");
            var next = int.Parse((await File.ReadAllTextAsync("/proc/sys/kernel/ns_last_pid")).Trim(), CultureInfo.InvariantCulture) + 1;
            var fifos = new List<string>();
            for (var pid = next; pid < next + Planted; pid++)
            {
                var name = Path.Combine(dir, $".trace.prom.{pid.ToString(CultureInfo.InvariantCulture)}.tmp");
                if (pid % 2 == 0)
                {
                    File.CreateSymbolicLink(name, victim);
                }
                else
                {
                    fifos.Add(name);
                }
            }

            await ExternalTool.RunAsync("mkfifo", fifos, timeout: TimeSpan.FromSeconds(30));

            using var config = new TemporaryConfigFile("builtin:\n  process_execs: true\n  tcp_connects: false\n  tcp_accepts: false\n  skb_drops: false\n  tcp_read_bytes: false\n  tcp_retransmits: false\n");
            var target = Path.Combine(dir, "trace.prom");
            var daemon = RepositoryLayout.Daemon;
            var result = await ExternalTool.RunUncheckedAsync(
                daemon.Program, daemon.Arguments(["once", "--duration", "1s", "--textfile", target, "--config.file", config.Path]), timeout: TimeSpan.FromMinutes(2));

            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StandardError}");
            Assert.Equal("precious\n", await File.ReadAllTextAsync(victim));
            Assert.Contains("trace_exporter_probe_up{probe=\"process_execs\"} 1", await File.ReadAllTextAsync(target), StringComparison.Ordinal);
            Assert.Equal(Planted + 2, Directory.GetFileSystemEntries(dir).Length); // nothing of ours left but the page
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
