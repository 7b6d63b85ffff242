using System.Buffers.Text;

namespace TraceExporter.Parsing;

/// <summary>
/// The printf lines the daemon adds to every program, to hear from bpftrace itself: <see cref="Ready"/> from
/// BEGIN, which runs only once every probe is attached (in all versions), and <see cref="Drained"/> from the
/// interval probe after it has printed and cleared the delta maps, with bpftrace's <c>nsecs</c> (the
/// monotonic clock) of that moment.
/// </summary>
public static class ControlLine
{
    public const string Ready = "trace_exporter:ready";
    public const string Drained = "trace_exporter:drained";

    private static readonly byte[] ReadyUtf8 = System.Text.Encoding.ASCII.GetBytes(Ready);
    private static readonly byte[] DrainedUtf8 = System.Text.Encoding.ASCII.GetBytes(Drained + " ");

    public static bool IsReady(ReadOnlySpan<byte> printf) => printf.TrimEnd((byte)'\n').SequenceEqual(ReadyUtf8);

    /// <summary>A drained line and its <c>nsecs</c>.</summary>
    public static bool TryParseDrained(ReadOnlySpan<byte> printf, out ulong nanoseconds)
    {
        nanoseconds = 0;
        printf = printf.TrimEnd((byte)'\n');
        return printf.StartsWith(DrainedUtf8)
            && Utf8Parser.TryParse(printf[DrainedUtf8.Length..], out nanoseconds, out var used)
            && used == printf.Length - DrainedUtf8.Length;
    }
}
