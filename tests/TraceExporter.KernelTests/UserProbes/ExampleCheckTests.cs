using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>Every shipped example passes <c>trace-exporter check</c> on this host: valid, and its probe attaches.</summary>
public sealed class ExampleCheckTests
{
    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, probe, _) in ExampleConfig.All)
        {
            data.Add(file, probe);
        }

        return data;
    }

    [Fact]
    public void The_tests_cover_every_file_in_config_examples()
    {
        var shipped = Directory.GetFiles(ExampleConfig.Directory, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        var covered = ExampleConfig.All.Select(e => e.File).Order(StringComparer.Ordinal);

        Assert.Equal(shipped, covered);
    }

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public async Task The_example_is_valid_and_its_probe_attaches_on_this_kernel(string file, string probe)
    {
        KernelPrerequisites.Require();

        // The file as it ships, plus the tests' bpftrace.path.
        using var config = new TemporaryConfigFile(File.ReadAllText(ExampleConfig.PathOf(file)));

        var check = await CheckRun.RunAsync(config.Path);

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.True(check.StandardOutput.Contains($"{config.Path}: configuration is valid", StringComparison.Ordinal), check.ToString());
        Assert.True(check.StandardOutput.Contains($"ok: probe {probe} attaches on this host", StringComparison.Ordinal), check.ToString());
        Assert.True(check.StandardError.Length == 0, check.ToString());
    }
}
