using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cutover.Server.Contracts;

namespace Cutover.Cli;

/// <summary>JSON for <c>--json</c> output: the server's contract types, indented, readable characters unescaped.</summary>
internal static class CliJson
{
    private static readonly ServerJson IndentedContext = new(new JsonSerializerOptions(ServerJson.Default.Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static JsonTypeInfo<T> Indented<T>(JsonTypeInfo<T> type) => (JsonTypeInfo<T>)IndentedContext.GetTypeInfo(typeof(T))!;
}
