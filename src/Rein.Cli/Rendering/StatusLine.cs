namespace Rein.Cli.Rendering;

/// <summary>A live status line on stderr while waiting: rewritten in place on a terminal; elsewhere (an agent
/// reading a pipe) the first message once, then one line every 30 s, so a log is not flooded.</summary>
internal sealed class StatusLine : IDisposable
{
    readonly bool _tty = !Console.IsErrorRedirected;
    DateTime _lastPrinted = DateTime.MinValue;
    bool _dirty;

    public void Show(string message)
    {
        if (_tty)
        {
            var width = Math.Max(20, Console.WindowWidth - 1);
            var line = "rein: " + message;
            Console.Error.Write(
                "\r" + (line.Length > width ? line[..(width - 1)] + "…" : line.PadRight(width))
            );
            _dirty = true;
        }
        else if (DateTime.UtcNow - _lastPrinted > TimeSpan.FromSeconds(30))
        {
            Console.Error.WriteLine("rein: " + message);
            _lastPrinted = DateTime.UtcNow;
        }
    }

    public void Dispose()
    {
        if (_dirty)
        {
            Console.Error.Write(
                "\r" + new string(' ', Math.Max(20, Console.WindowWidth - 1)) + "\r"
            );
        }
    }
}
