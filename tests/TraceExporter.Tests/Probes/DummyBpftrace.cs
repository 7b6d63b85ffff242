
namespace TraceExporter.Tests.Probes;

/// <summary>
/// A small real stand-in for bpftrace: a script that takes bpftrace's arguments, refuses a program that names
/// <see cref="Unattachable"/> (as bpftrace refuses a missing tracepoint: ERROR on stderr, exit 1), and
/// otherwise says ready as the daemon's BEGIN would, prints the recorded output lines for its run (the
/// n-th start prints <c>run-N.jsonl</c>), then exits with that run's code or runs until SIGINT/SIGTERM.
/// Each start is counted in a file, so a test sees how often the daemon started it.
/// </summary>
internal sealed class DummyBpftrace : IDisposable
{
    public const string Unattachable = "tracepoint:nosuch:event";

    /// <summary>A program naming this loads only without <c>-k</c>, as a loop near the verifier's limit does on 0.17.</summary>
    public const string TooLargeWithHelperChecks = "@too_large_with_k";
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"te-dummy-bpftrace-{Guid.NewGuid():N}");

    public DummyBpftrace()
    {
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, "bpftrace");
        File.WriteAllText(Path, $$"""
            #!/bin/bash
            dir='{{_directory}}'
            program=""
            helper_checks=no
            while [ $# -gt 0 ]; do
              case "$1" in
                -e) program="$2"; shift 2 ;;
                -f) shift 2 ;;
                -k) helper_checks=yes; shift ;;
                -*) shift ;;
                *) program="$(cat "$1")"; shift ;;
              esac
            done
            trap 'exit 0' INT TERM
            # Two groups may start at once: count under a lock so each start gets its own number.
            run=$(flock "$dir/starts.lock" sh -c 'echo x >> "$1/starts"; wc -l < "$1/starts"' sh "$dir")
            printf '%s\n' "$program" > "$dir/program-$run.bt"
            if grep -q '{{Unattachable}}' <<<"$program"; then
              echo "stdin:1:1-20: ERROR: tracepoint not found: nosuch:event" >&2
              exit 1
            fi
            if [ $helper_checks = yes ] && grep -q '{{TooLargeWithHelperChecks}}' <<<"$program"; then
              echo "ERROR: Error loading program: interval:ms:100 (try -v)" >&2
              exit 1
            fi
            echo '{"type": "printf", "data": "trace_exporter:ready\n"}'
            [ -f "$dir/run-$run.jsonl" ] && cat "$dir/run-$run.jsonl"
            [ -f "$dir/run-$run.exit" ] && exit "$(cat "$dir/run-$run.exit")"
            while true; do sleep 0.05; done
            """.Replace("\r", "", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Path { get; }

    /// <summary>How many times it was started.</summary>
    public int Starts => File.Exists(System.IO.Path.Combine(_directory, "starts")) ? File.ReadAllLines(System.IO.Path.Combine(_directory, "starts")).Length : 0;

    /// <summary>What the <paramref name="run"/>-th start prints after ready, and its exit code (null: runs until stopped).</summary>
    public void Script(int run, int? exitCode, params string[] lines)
    {
        File.WriteAllText(System.IO.Path.Combine(_directory, $"run-{run}.jsonl"), string.Join('\n', lines) + (lines.Length > 0 ? "\n" : ""));
        if (exitCode is { } code)
        {
            File.WriteAllText(System.IO.Path.Combine(_directory, $"run-{run}.exit"), code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The program the <paramref name="run"/>-th start was given.</summary>
    public string Program(int run) => File.ReadAllText(System.IO.Path.Combine(_directory, $"program-{run}.bt"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
