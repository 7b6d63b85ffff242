using System.Net.Sockets;

namespace TraceExporter.TestWorkload;

/// <summary>Connects, sends <c>--bytes</c> bytes, shuts down its side and waits for the server to close.</summary>
internal static class SendCommand
{
    public static int Run(WorkloadOptions options)
    {
        using var socket = LoopbackSocket.Connect(options.Port);
        LoopbackSocket.SendExactly(socket, options.Bytes);
        socket.Shutdown(SocketShutdown.Send);
        // The server closes once it has read everything, so returning here means every byte arrived.
        LoopbackSocket.ReadToEnd(socket);
        Console.Out.WriteLine(options.Bytes);
        return 0;
    }
}
