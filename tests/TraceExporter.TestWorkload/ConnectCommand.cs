using System.Net.Sockets;

namespace TraceExporter.TestWorkload;

/// <summary>Opens and cleanly closes <c>--count</c> connections, one after another.</summary>
internal static class ConnectCommand
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    public static int Run(WorkloadOptions options)
    {
        for (var i = 0; i < options.Count; i++)
        {
            using var socket = LoopbackSocket.Connect(options.Port);
            socket.Shutdown(SocketShutdown.Send);
            // Waiting for the server's close makes each connection complete before the next one starts. Not for
            // ever: through a lossy nft rule the server's side can end without its FIN reaching us (seen once in
            // FIN-WAIT-2 for over 2 min), and the connection was made all the same.
            socket.ReceiveTimeout = (int)CloseTimeout.TotalMilliseconds;
            try
            {
                LoopbackSocket.ReadToEnd(socket);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                Console.Error.WriteLine($"connection {i + 1}: the server did not close within {CloseTimeout.TotalSeconds:F0} s");
            }
        }

        Console.Out.WriteLine(options.Count);
        return 0;
    }
}
