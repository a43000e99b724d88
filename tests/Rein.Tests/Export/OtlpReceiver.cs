using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rein.Tests.Export;

/// <summary>An OTLP/HTTP receiver for the tests: a loopback TCP listener that reads HTTP/1.1 POSTs, keeps each
/// request (path, headers, body) and answers with <see cref="Status"/> after <see cref="Delay"/>.</summary>
internal sealed class OtlpReceiver : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly Lock _gate = new();
    readonly List<Request> _requests = [];

    public sealed record Request(
        string Path,
        IReadOnlyDictionary<string, string> Headers,
        byte[] Body
    );

    public OtlpReceiver()
    {
        _listener.Start();
        _ = Task.Run(Serve);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public int Status { get; set; } = 200;

    public TimeSpan Delay { get; set; }

    /// <summary>The status line's reason phrase, sent byte for byte (Latin-1); null: "OK" or "Internal Server
    /// Error".</summary>
    public string? Reason { get; set; }

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    async Task Serve()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e)
                when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => Handle(client));
        }
    }

    async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new List<byte>();
                var one = new byte[1];
                while (!EndsWithBlankLine(head) && await stream.ReadAsync(one, _stop.Token) == 1)
                {
                    head.Add(one[0]);
                }

                var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
                var path = lines[0].Split(' ')[1];
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in lines.Skip(1).Where(l => l.Contains(':')))
                {
                    var colon = line.IndexOf(':');
                    headers[line[..colon]] = line[(colon + 1)..].Trim();
                }

                var body = new byte[int.Parse(headers.GetValueOrDefault("Content-Length", "0"))];
                await stream.ReadExactlyAsync(body, _stop.Token);
                lock (_gate)
                {
                    _requests.Add(new Request(path, headers, body));
                }

                await Task.Delay(Delay, _stop.Token);
                var reason = Reason ?? (Status == 200 ? "OK" : "Internal Server Error");
                await stream.WriteAsync(
                    Encoding.Latin1.GetBytes(
                        $"HTTP/1.1 {Status} {reason}\r\nContent-Length: 0\r\n\r\n"
                    ),
                    _stop.Token
                );
            }
            catch (Exception e)
                when (e is IOException or OperationCanceledException or SocketException)
            {
                // The sender gave up (its budget ran out): nothing to answer.
            }
        }
    }

    static bool EndsWithBlankLine(List<byte> b) =>
        b.Count >= 4 && b[^4] == '\r' && b[^3] == '\n' && b[^2] == '\r' && b[^1] == '\n';

    bool _disposed;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}

/// <summary>Protocol Buffers' wire format read back without the .proto files: each field as its number and either a
/// number (varint, fixed64) or bytes (length-delimited: a string or a nested message, as the caller knows).</summary>
internal static class Proto
{
    public sealed record Field(int Number, ulong Number64, byte[] Bytes)
    {
        public string Text => Encoding.UTF8.GetString(Bytes);

        public IReadOnlyList<Field> Message => Decode(Bytes);
    }

    public static IReadOnlyList<Field> Decode(byte[] data)
    {
        var fields = new List<Field>();
        var i = 0;
        ulong Varint()
        {
            ulong v = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data[i++];
                v |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return v;
                }
            }
        }

        while (i < data.Length)
        {
            var tag = Varint();
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    fields.Add(new Field(number, Varint(), []));
                    break;
                case 1:
                    fields.Add(new Field(number, BitConverter.ToUInt64(data, i), []));
                    i += 8;
                    break;
                case 2:
                    var length = (int)Varint();
                    fields.Add(new Field(number, 0, data[i..(i + length)]));
                    i += length;
                    break;
                default:
                    throw new FormatException($"wire type {tag & 7} at byte {i}");
            }
        }

        return fields;
    }

    /// <summary>A KeyValue list (OTLP attributes) as key → its AnyValue's string or integer, as text.</summary>
    public static Dictionary<string, string> Attributes(IEnumerable<Field> keyValues) =>
        keyValues.ToDictionary(
            kv => kv.Message.Single(f => f.Number == 1).Text,
            kv =>
            {
                var any = kv.Message.Single(f => f.Number == 2).Message.Single();
                return any.Number switch
                {
                    1 => any.Text,
                    3 => ((long)any.Number64).ToString(
                        System.Globalization.CultureInfo.InvariantCulture
                    ),
                    5 => string.Join(' ', any.Message.Select(v => v.Message.Single().Text)),
                    _ => any.Number64.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
            }
        );
}
