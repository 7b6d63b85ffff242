using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace TraceExporter.Tests.Configuration;

/// <summary>
/// Mutated copies of the shipped configurations through <c>check --config.only</c>: each ends in exit 0 or 2
/// with <c>file:line:column</c> messages, never an exception, a stack trace or a hang. The count can be raised
/// with <c>TE_CONFIG_FUZZ_COUNT</c> (scripts/fuzz-config).
/// </summary>
public sealed partial class ConfigFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 13;
    private static readonly TimeSpan PerConfig = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_hundred_thousand_mutated_configs_each_end_in_exit_0_or_2_with_located_messages()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("TE_CONFIG_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var n) ? n : 100_000;
        var seeds = Seeds();
        var exits = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var workers = Environment.ProcessorCount;
        var clock = Stopwatch.StartNew();

        await Parallel.ForAsync(0, workers, async (worker, _) =>
        {
            var dir = Directory.CreateTempSubdirectory("te-fuzz-").FullName;
            try
            {
                var path = Path.Combine(dir, "fuzz.yaml");
                var mutator = new ConfigMutator(seeds, Seed + worker);
                for (var i = worker; i < count && failures.Count < 20; i += workers)
                {
                    var yaml = mutator.Next();
                    await File.WriteAllBytesAsync(path, mutator.Encode(yaml), CancellationToken.None);
                    var (code, stdout, stderr, problem) = await CheckAsync(path);
                    exits.AddOrUpdate(code, 1, (_, c) => c + 1);
                    if ((problem ?? Problem(path, code, stdout, stderr)) is { } found)
                    {
                        failures.Enqueue($"{found}\n--- config #{i}:\n{yaml}\n--- stderr:\n{stderr}");
                    }
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        });

        output.WriteLine($"{count} configs in {clock.Elapsed.TotalSeconds:F1} s; exit codes: {string.Join(", ", exits.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"))}");
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures.Take(3)));
        Assert.Equal(count, exits.Values.Sum());
        Assert.True(exits.GetValueOrDefault(2) > count / 2, "most mutations should break the file");
    }

    [Fact]
    public async Task Mutated_configs_through_the_real_binary_exit_0_or_2_with_located_messages_on_stderr()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("TE_CONFIG_FUZZ_BINARY_COUNT"), CultureInfo.InvariantCulture, out var n) ? n : 40;
        var binary = Path.Combine(AppContext.BaseDirectory, "trace-exporter.dll");
        var mutator = new ConfigMutator(Seeds(), Seed + 1000);
        var exits = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var dir = Directory.CreateTempSubdirectory("te-fuzz-bin-").FullName;
        var clock = Stopwatch.StartNew();
        try
        {
            var files = new List<string>();
            for (var i = 0; i < count; i++)
            {
                files.Add(Path.Combine(dir, $"fuzz{i}.yaml"));
                await File.WriteAllBytesAsync(files[^1], mutator.Encode(mutator.Next()));
            }

            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (file, _) =>
            {
                using var process = Process.Start(new ProcessStartInfo("dotnet", [binary, "check", "--config.only", "--config.file", file])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    failures.Enqueue($"{file}: no exit within 60 s");
                    return;
                }

                exits.AddOrUpdate(process.ExitCode, 1, (_, c) => c + 1);
                if (Problem(file, process.ExitCode, await stdout, await stderr) is { } problem)
                {
                    failures.Enqueue($"{file}: {problem}\n{await stderr}\n--- config:\n{await File.ReadAllTextAsync(file, CancellationToken.None)}");
                }
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        output.WriteLine($"{count} configs through {binary} in {clock.Elapsed.TotalSeconds:F1} s; exit codes: {string.Join(", ", exits.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}"))}");
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures.Take(3)));
        Assert.Equal(count, exits.Values.Sum());
    }

    /// <summary>What is wrong with one run's result, or null.</summary>
    internal static string? Problem(string path, int code, string stdout, string stderr)
    {
        if (code is not (0 or 2))
        {
            return $"exit {code}";
        }

        if (stderr.Contains("   at ", StringComparison.Ordinal) || stderr.Contains("Exception", StringComparison.Ordinal))
        {
            return "a stack trace or exception on stderr";
        }

        if (code == 0)
        {
            return stdout.Contains("configuration is valid", StringComparison.Ordinal) ? null : "exit 0 without 'configuration is valid'";
        }

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var bad = lines.FirstOrDefault(l => !l.StartsWith(path + ":", StringComparison.Ordinal) || !(Located().IsMatch(l[path.Length..]) || FileLevel().IsMatch(l[path.Length..])));
        return lines.Length == 0 ? "exit 2 without a message" : bad is null ? null : $"not a file:line:column message: {bad}";
    }

    private static async Task<(int Code, string Stdout, string Stderr, string? Problem)> CheckAsync(string path)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        try
        {
            var code = await Task.Run(() => CheckCommand.RunAsync(path, configOnly: true, stdout, stderr, CancellationToken.None)).WaitAsync(PerConfig);
            return (code, stdout.ToString(), stderr.ToString(), null);
        }
        catch (TimeoutException)
        {
            return (-1, stdout.ToString(), stderr.ToString(), $"no answer within {PerConfig.TotalSeconds} s");
        }
        catch (Exception e)
        {
            return (-2, stdout.ToString(), stderr.ToString(), e.ToString());
        }
    }

    internal static List<string> Seeds()
    {
        var root = ConfigLoaderTests.RepoRoot();
        return [.. Directory.GetFiles(Path.Combine(root, "config", "examples"), "*.yaml").Append(Path.Combine(root, "config", "trace-exporter.yaml")).Order(StringComparer.Ordinal).Select(File.ReadAllText)];
    }

    [GeneratedRegex(@"^:\d+:\d+: \S")]
    private static partial Regex Located();

    [GeneratedRegex(@"^: \S")]
    private static partial Regex FileLevel();
}
