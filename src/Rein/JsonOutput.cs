using System.Text.Encodings.Web;
using System.Text.Json;

namespace Rein;

/// <summary>Writer options for every JSON document Rein prints: readable text (a '+' in a timestamp or a quote
/// in a command line stays as it is; the output is never embedded in HTML).</summary>
public static class JsonOutput
{
    public static JsonWriterOptions Options(bool indented = true) =>
        new() { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
