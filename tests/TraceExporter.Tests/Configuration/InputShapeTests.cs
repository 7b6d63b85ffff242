using System.Diagnostics;
using TraceExporter.Configuration;
using TraceExporter.Web;

namespace TraceExporter.Tests.Configuration;

/// <summary>Files that are not regular, files too large, documents too deep or too large, keys that are not names: each a located error, never a crash or a hang.</summary>
public sealed class InputShapeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("te-shape-").FullName;

    [Theory]
    [InlineData("/dev/zero", "is a character device, not a regular file")]
    [InlineData("/dev/null", "is a character device, not a regular file")]
    [InlineData("/tmp", "is a directory, not a regular file")]
    public async Task A_config_file_that_is_not_a_regular_file_is_refused(string path, string expected)
    {
        var e = await Assert.ThrowsAsync<ConfigException>(() => Task.Run(() => ConfigLoader.Load(path)).WaitAsync(Patience));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_as_config_file_web_config_or_program_file_is_refused_without_blocking()
    {
        var fifo = Fifo("pipe");
        var config = Path.Combine(_dir, "te.yaml");
        await File.WriteAllTextAsync(config, "probes:\n  - name: p\n    program_file: pipe\n    metrics: [{ map: \"@x\", name: p_total, help: h }]\n");

        var asConfig = await Assert.ThrowsAsync<ConfigException>(() => Task.Run(() => ConfigLoader.Load(fifo)).WaitAsync(Patience));
        var asWeb = await Assert.ThrowsAsync<ConfigException>(() => Task.Run(() => WebConfigLoader.Load(fifo)).WaitAsync(Patience));
        var asProgram = await Assert.ThrowsAsync<ConfigException>(() => Task.Run(() => ConfigLoader.Load(config)).WaitAsync(Patience));

        Assert.Contains("is a FIFO, not a regular file", asConfig.Message, StringComparison.Ordinal);
        Assert.Contains("is a FIFO, not a regular file", asWeb.Message, StringComparison.Ordinal);
        Assert.Contains(asProgram.Errors, e => e.ToString().StartsWith($"{config}:3:19: program_file 'pipe' cannot be read: ", StringComparison.Ordinal) && e.Message.Contains("FIFO", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/dev/zero", "is a character device")]
    [InlineData("big.bt", "is larger than 1024 KiB")]
    public async Task A_program_file_that_is_a_device_or_larger_than_1_MiB_is_refused(string programFile, string expected)
    {
        await File.WriteAllBytesAsync(Path.Combine(_dir, "big.bt"), new byte[RegularFile.MaxBytes + 1]);
        var config = Path.Combine(_dir, "te.yaml");
        await File.WriteAllTextAsync(config, $"probes:\n  - name: p\n    program_file: {programFile}\n    metrics: [{{ map: \"@x\", name: p_total, help: h }}]\n");

        var e = await Assert.ThrowsAsync<ConfigException>(() => Task.Run(() => ConfigLoader.Load(config)).WaitAsync(Patience));

        Assert.Contains(e.Errors, error => error.Line == 3 && error.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_of_exactly_the_limit_is_read()
    {
        var path = Path.Combine(_dir, "max.yaml");
        File.WriteAllText(path, "#" + new string('x', RegularFile.MaxBytes - 2) + "\n");

        Assert.Empty(ConfigLoader.Load(path).Probes);
    }

    [Theory]
    [InlineData(300_000)]
    [InlineData(65)]
    public void A_document_nested_too_deep_is_refused_where_it_gets_too_deep(int depth)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("probes: " + new string('[', depth), "deep.yaml"));

        Assert.Equal("deep.yaml:1:72: nested more than 64 levels deep", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void A_document_nested_64_levels_deep_is_read()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("probes: " + new string('[', 63) + new string(']', 63), "deep.yaml"));

        Assert.DoesNotContain(e.Errors, error => error.Message.Contains("nested", StringComparison.Ordinal));
    }

    [Fact]
    public void An_alias_bomb_is_refused_before_anything_walks_it()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
            string.Concat(Enumerable.Range(1, 8).Select(i => $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(", ", Enumerable.Repeat($"*{(char)('a' + i - 1)}", 10))}]\n")) +
            "probes: *i\n";

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "bomb.yaml"));

        Assert.Contains("more than 100,000 nodes (with aliases expanded)", Assert.Single(e.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_web_config_nested_too_deep_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => WebConfigLoader.Parse("basic_auth_users: " + new string('{', 100_000), "web.yml"));

        Assert.Contains("nested more than 64 levels deep", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("probes:\n  - kind: strace\n    ? [a]\n    : 1\n", "cfg.yaml:3:7: a probe: keys must be plain names")]
    [InlineData("probes:\n  - kind: strace\n    name: s\n    target: { ? {a: 1} : 1 }\n", "cfg.yaml:4:17: target: keys must be plain names")]
    [InlineData("? [a]\n: 1\n", "cfg.yaml:1:3: the configuration: keys must be plain names")]
    public void A_key_that_is_a_list_or_a_mapping_is_a_located_error(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "cfg.yaml"));

        Assert.Contains(e.Errors, error => error.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("probes:\n  - name: p\n    metrics:\n      - map: \"@x\"\n        labels:\n          - { name: comm, kind: packed_name }\n:")]
    [InlineData("bpftrace:\n  path: bpftrace          # a name on PATH\n:")]
    public void A_colon_that_ends_the_file_is_invalid_yaml_not_an_InvalidOperationException(string yaml)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "cfg.yaml"));

        Assert.Matches(@"^cfg\.yaml:\d+:\d+: invalid YAML", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void A_program_too_costly_to_search_for_its_maps_is_a_located_error_not_a_regex_timeout()
    {
        var program = Path.Combine(_dir, "slow.bt");
        File.WriteAllText(program, "BEGIN { " + string.Concat(Enumerable.Repeat("@execs[", 120_000)) + "\n");
        var config = Path.Combine(_dir, "te.yaml");
        File.WriteAllText(config, "probes:\n  - name: p\n    program_file: slow.bt\n    metrics: [{ map: \"@execs\", name: p_total, help: h }]\n");

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(config));

        Assert.Contains(e.Errors, error => error.Line == 4 && error.Message.Contains("@execs", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Fifo(string name)
    {
        var path = Path.Combine(_dir, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }
}
