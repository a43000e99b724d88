using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Rein.Cli.Rendering;

/// <summary>Prints one public document to stdout: its record through <see cref="Documents.ReinJsonContext"/>
/// (readable: indented, a '+' or a quote kept as it is), then a newline.</summary>
internal static class DocumentOutput
{
    public static void Print<T>(T document, JsonTypeInfo<T> type)
    {
        using var stdout = Console.OpenStandardOutput();
        JsonSerializer.Serialize(stdout, document, type);
        stdout.WriteByte((byte)'\n');
    }
}
