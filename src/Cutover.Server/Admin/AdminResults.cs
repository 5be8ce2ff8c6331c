using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cutover.Core.Routing;
using Cutover.Server.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cutover.Server.Admin;

/// <summary>What every admin endpoint answers with: its JSON, a refusal (<see cref="ErrorBody"/>), and a request body read.</summary>
internal static class AdminResults
{
    public static IResult Refuse(int status, string error, string message) =>
        Results.Json(new ErrorBody(error, message), ServerJson.Default.ErrorBody, statusCode: status);

    public static IResult Json<T>(T value, JsonTypeInfo<T> type) => Results.Json(value, type);

    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted);
            return value is null
                ? (null, Refuse(StatusCodes.Status400BadRequest, "invalid_request", "the body must be a JSON object"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Refuse(StatusCodes.Status400BadRequest, "invalid_request", $"the body is not valid JSON for this request: {ex.Message}"));
        }
    }

    /// <summary>A body that may be absent (then the command says what it misses, such as a reason).</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadOptionalAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false
            ? (null, null)
            : await ReadAsync(context, type);

    public static string ErrorCode(ChangeError error) => error switch
    {
        ChangeError.ReasonRequired => "reason_required",
        ChangeError.InvalidReason => "reason_invalid",
        ChangeError.InvalidPercent => "invalid_percent",
        ChangeError.UnknownDomain => "unknown_domain",
        ChangeError.ProtectedDomain => "protected_domain",
        ChangeError.InvalidUser => "invalid_user",
        ChangeError.InvalidOverride => "invalid_override",
        _ => "invalid_request",
    };
}
