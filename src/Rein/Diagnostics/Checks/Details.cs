using System.Text.Json.Nodes;

namespace Rein.Diagnostics.Checks;

/// <summary>Small helpers for building the JSON details of findings.</summary>
internal static class Details
{
    public static JsonObject Of(params (string Key, JsonNode? Value)[] items)
    {
        var o = new JsonObject();
        foreach (var (k, v) in items)
        {
            o[k] = v;
        }

        return o;
    }

    public static JsonArray Array(IEnumerable<JsonNode?> items) => new([.. items]);
}
