using System.Net.Sockets;

namespace TraceExporter.TestWorkload;

/// <summary>Opens and cleanly closes <c>--count</c> connections, one after another.</summary>
internal static class ConnectCommand
{
    public static int Run(WorkloadOptions options)
    {
        for (var i = 0; i < options.Count; i++)
        {
            using var socket = LoopbackSocket.Connect(options.Port);
            socket.Shutdown(SocketShutdown.Send);
            // Waiting for the server's close makes each connection complete before the next one starts.
            LoopbackSocket.ReadToEnd(socket);
        }

        Console.Out.WriteLine(options.Count);
        return 0;
    }
}
