namespace TraceExporter.TestWorkload;

/// <summary>Connects, reads until end of stream, prints the byte count; succeeds when it equals <c>--bytes</c>.</summary>
internal static class ReadCommand
{
    public static int Run(WorkloadOptions options)
    {
        using var socket = LoopbackSocket.Connect(options.Port);
        var total = LoopbackSocket.ReadToEnd(socket);
        Console.Out.WriteLine(total);
        return total == options.Bytes ? 0 : 1;
    }
}
