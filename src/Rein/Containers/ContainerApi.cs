using System.Net.Sockets;
using System.Text;

namespace Rein.Containers;

/// <summary>
/// The Docker Engine API (Podman serves the same one) on its Unix socket: one HTTP/1.0 request per connection, the
/// answer read to its end. HTTP/1.0 on purpose: the daemon then neither chunks the body nor keeps the connection,
/// so a whole client is a write and a read. Not HttpClient: linking System.Net.Http into the one NativeAOT binary
/// costs every start of rein (see OtlpHttpSender), for a request only runs with containers make.
/// </summary>
public sealed class ContainerApi
{
    /// <summary>The largest answer read: a container list of a busy daemon is far below it.</summary>
    const int MaxAnswer = 8 << 20;

    ContainerApi(string socketPath) => SocketPath = socketPath;

    /// <summary>The socket's path.</summary>
    public string SocketPath { get; }

    /// <summary>The API of the daemon this machine's docker/podman CLI would talk to: <c>DOCKER_HOST</c> when it is a
    /// <c>unix://</c> address, else the first socket that exists of Docker's (<c>/var/run/docker.sock</c>, Docker
    /// Desktop's <c>~/.docker/run/docker.sock</c>) and Podman's (rootless under <c>XDG_RUNTIME_DIR</c>, then
    /// rootful). Null, with why, when there is none (or <c>DOCKER_HOST</c> names a TCP daemon: not spoken).</summary>
    public static ContainerApi? Find(out string why) => Find(podmanFirst: false, out why);

    /// <param name="podmanFirst">Ask Podman's sockets before Docker's (the command runs podman).</param>
    /// <param name="why">Why there is none, when there is none.</param>
    public static ContainerApi? Find(bool podmanFirst, out string why)
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host))
        {
            if (!host.StartsWith("unix://", StringComparison.Ordinal))
            {
                why = $"DOCKER_HOST={host} is not a unix:// socket (only a local socket is spoken)";
                return null;
            }

            var path = host["unix://".Length..];
            why = File.Exists(path) ? "" : $"DOCKER_HOST names {path}, which does not exist";
            return why.Length == 0 ? new ContainerApi(path) : null;
        }

        var home = Environment.GetEnvironmentVariable("HOME");
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        string?[] docker =
        [
            "/var/run/docker.sock",
            home is { Length: > 0 } ? Path.Combine(home, ".docker/run/docker.sock") : null,
            runtime is { Length: > 0 } ? Path.Combine(runtime, "docker.sock") : null, // rootless Docker
        ];
        string?[] podman =
        [
            runtime is { Length: > 0 } ? Path.Combine(runtime, "podman/podman.sock") : null,
            "/run/podman/podman.sock",
        ];
        string?[] candidates = podmanFirst ? [.. podman, .. docker] : [.. docker, .. podman];
        foreach (var candidate in candidates)
        {
            if (candidate is not null && File.Exists(candidate))
            {
                why = "";
                return new ContainerApi(candidate);
            }
        }

        why =
            "no Docker or Podman API socket (DOCKER_HOST, /var/run/docker.sock, ~/.docker/run/docker.sock, "
            + "$XDG_RUNTIME_DIR/podman/podman.sock)";
        return null;
    }

    /// <summary>An API socket at this path (tests, hosts that know theirs).</summary>
    public static ContainerApi At(string socketPath) => new(socketPath);

    /// <summary>One request; the status code and the body. Throws <see cref="ContainerApiException"/> when the daemon
    /// cannot be reached or does not answer within <paramref name="timeout"/>.</summary>
    public (int Status, byte[] Body) Send(string method, string pathAndQuery, TimeSpan timeout)
    {
        try
        {
            using var socket = new Socket(
                AddressFamily.Unix,
                SocketType.Stream,
                ProtocolType.Unspecified
            );
            var ms = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
            socket.SendTimeout = ms;
            socket.ReceiveTimeout = ms;
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            socket.Send(
                Encoding.ASCII.GetBytes(
                    $"{method} {pathAndQuery} HTTP/1.0\r\nHost: docker\r\nUser-Agent: rein\r\nContent-Length: 0\r\n\r\n"
                )
            );
            var answer = new MemoryStream();
            var buffer = new byte[16384];
            int n;
            while ((n = socket.Receive(buffer)) > 0)
            {
                answer.Write(buffer, 0, n);
                if (answer.Length > MaxAnswer)
                {
                    throw new ContainerApiException(
                        $"{pathAndQuery}: answer over {MaxAnswer} bytes"
                    );
                }
            }

            return Parse(answer.ToArray(), pathAndQuery);
        }
        catch (ArgumentException e)
        {
            // A socket path longer than the system's sun_path (108 bytes on Linux, 104 on macOS).
            throw new ContainerApiException($"{SocketPath}: {e.Message}");
        }
        catch (SocketException e)
        {
            throw new ContainerApiException(
                e.SocketErrorCode == SocketError.TimedOut
                    ? $"{SocketPath}: no answer within {timeout.TotalSeconds:0.#}s"
                    : $"{SocketPath}: {e.Message}"
            );
        }
    }

    static (int, byte[]) Parse(byte[] answer, string what)
    {
        var end = answer.AsSpan().IndexOf("\r\n\r\n"u8);
        var lineEnd = answer.AsSpan().IndexOf("\r\n"u8);
        var status = lineEnd > 0 ? Encoding.ASCII.GetString(answer, 0, lineEnd).Split(' ') : [];
        if (
            end < 0
            || status.Length < 2
            || !status[0].StartsWith("HTTP/", StringComparison.Ordinal)
            || !int.TryParse(status[1], out var code)
        )
        {
            throw new ContainerApiException($"{what}: not an HTTP answer");
        }

        return (code, answer[(end + 4)..]);
    }
}

/// <summary>The container API could not be reached or answered nonsense; the message says which, in one line.</summary>
public sealed class ContainerApiException(string message) : Exception(message);
