using System.Text;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>
/// A program larger than one command-line argument may be (Linux's MAX_ARG_STRLEN, 128 KiB) still reaches
/// bpftrace: the program goes on its stdin, not in <c>-e</c>.
/// </summary>
public sealed class LargeProgramTests
{
    [SkippableFact]
    public async Task A_program_over_the_argument_limit_attaches()
    {
        KernelPrerequisites.Require();
        var program = new StringBuilder("tracepoint:sched:sched_process_exec { @execs = count(); }\n");
        while (program.Length < 200 * 1024)
        {
            program.Append("// a long comment that pads the program past what one argument can hold\n");
        }

        var dir = Directory.CreateTempSubdirectory("te-kt-large-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "large.bt"), program.ToString());
            var config = Path.Combine(dir, "te.yaml");
            await File.WriteAllTextAsync(config, "builtin: {}\nprobes:\n  - name: large\n    program_file: large.bt\n    metrics: [{ map: \"@execs\", name: kt_large_execs_total, help: Execs. }]\n");

            var check = await CheckRun.RunAsync(config);

            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Contains("ok: probe large attaches on this host", check.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
