using System.Text.Json.Nodes;

namespace Rein.Tests.Documents;

/// <summary>A JSON document's shape: every field name and the kind of its value, recursively, with values dropped
/// (an array shows its first element's shape). Two documents with the same shape have the same schema as far as a
/// reader that looks at names and types can tell: a renamed, removed, added or retyped field changes it.</summary>
internal static class DocumentShape
{
    public static string Of(string json) =>
        Shape(JsonNode.Parse(json))!
            .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })
        + "\n";

    static JsonNode Shape(JsonNode? node) =>
        node switch
        {
            null => JsonValue.Create("null"),
            JsonObject o => new JsonObject(
                o.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Shape(p.Value)))
            ),
            JsonArray a => a.Count == 0 ? new JsonArray() : new JsonArray(Shape(a[0])),
            JsonValue v => JsonValue.Create(
                v.GetValueKind() switch
                {
                    System.Text.Json.JsonValueKind.String => "string",
                    System.Text.Json.JsonValueKind.Number => "number",
                    System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False =>
                        "boolean",
                    var k => k.ToString(),
                }
            ),
            _ => throw new InvalidOperationException(node.GetType().Name),
        };
}
