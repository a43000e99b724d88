using System.Net.Sockets;
using System.Text;

namespace Rein.Export.Otlp;

/// <summary>
/// POSTs one protobuf body over HTTP/1.1 on a plain TCP connection. Not HttpClient on purpose: linking
/// System.Net.Http (or the OpenTelemetry SDK, which uses it) into the one NativeAOT binary adds 3-5 MB and about 5 ms
/// to every start of rein, guarded runs included (BENCHMARKS.md), for a request a few runs make. https is therefore
/// not spoken: a collector on the machine or the runner (http://localhost:4318) forwards over TLS.
/// </summary>
internal static class OtlpHttpSender
{
    /// <summary>Null when the collector answered 2xx; otherwise why not, in a few words.</summary>
    public static string? Post(
        Uri endpoint,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        byte[] body,
        TimeSpan budget
    )
    {
        if (endpoint.Scheme != "http")
        {
            return $"{endpoint.Scheme}:// is not supported (run a collector at http://localhost:4318 that forwards over TLS)";
        }

        // CancellationTokenSource takes at most ~49 days; an export needs far less.
        using var cancel = new CancellationTokenSource(
            budget < TimeSpan.FromDays(1) ? budget : TimeSpan.FromDays(1)
        );
        try
        {
            using var client = new TcpClient();
            client
                .ConnectAsync(endpoint.Host, endpoint.Port, cancel.Token)
                .AsTask()
                .GetAwaiter()
                .GetResult();
            using var stream = client.GetStream();
            var head = new StringBuilder()
                .Append("POST ")
                .Append(endpoint.PathAndQuery)
                .Append(" HTTP/1.1\r\nHost: ")
                .Append(endpoint.Authority)
                .Append("\r\nContent-Type: application/x-protobuf\r\nContent-Length: ")
                .Append(body.Length)
                .Append("\r\nConnection: close\r\nUser-Agent: rein\r\n");
            foreach (var (k, v) in headers)
            {
                head.Append(k).Append(": ").Append(v).Append("\r\n");
            }

            head.Append("\r\n");
            stream
                .WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancel.Token)
                .AsTask()
                .GetAwaiter()
                .GetResult();
            stream.WriteAsync(body, cancel.Token).AsTask().GetAwaiter().GetResult();
            var status = StatusLine(stream, cancel.Token);
            var parts = status.Split(' ', 3);
            return
                parts.Length >= 2
                && parts[0].StartsWith("HTTP/", StringComparison.Ordinal)
                && parts[1].Length == 3
                && parts[1][0] == '2'
                ? null
                : $"the collector answered '{status}'";
        }
        catch (OperationCanceledException)
        {
            return "no answer in time (--timeout)";
        }
        catch (SocketException e)
        {
            return e.Message;
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }

    /// <summary>The response's first line (the rest is not needed: 2xx means accepted).</summary>
    static string StatusLine(NetworkStream stream, CancellationToken cancel)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (line.Count < 1024)
        {
            if (stream.ReadAsync(one, cancel).AsTask().GetAwaiter().GetResult() == 0)
            {
                break;
            }

            if (one[0] == '\n')
            {
                break;
            }

            if (one[0] != '\r')
            {
                // The collector's words reach a terminal (stderr, rein doctor): no control bytes, ASCII only.
                line.Add(one[0] is < 0x20 or >= 0x7f ? (byte)'?' : one[0]);
            }
        }

        return line.Count == 0 ? "nothing" : Encoding.ASCII.GetString(line.ToArray());
    }
}
