using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cutover.Core.Errors;
using Cutover.Core.Routing;
using Cutover.Server.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cutover.Server.Admin;

/// <summary>What every admin endpoint answers with: its JSON, a refusal (<see cref="ErrorBody"/>), and a request body read.</summary>
internal static class AdminResults
{
    /// <summary>A refusal: the error's status, and <see cref="ErrorBody"/> with its wire name and <paramref name="message"/>.</summary>
    public static IResult Refuse(AdminError error, string message) =>
        Results.Json(new ErrorBody(error.WireName(), message), ServerJson.Default.ErrorBody, statusCode: StatusOf(error));

    /// <summary>The HTTP status of each admin error: the one place that says it.</summary>
    public static int StatusOf(AdminError error) => error switch
    {
        AdminError.InvalidRequest or AdminError.InvalidPercent or AdminError.ReasonRequired or AdminError.ReasonInvalid
            or AdminError.UnknownDomain or AdminError.ProtectedDomain or AdminError.InvalidUser or AdminError.InvalidOverride or AdminError.UnknownGate
            or AdminError.MalformedPayload => StatusCodes.Status400BadRequest,
        AdminError.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        AdminError.Unauthorized => StatusCodes.Status401Unauthorized,
        AdminError.Forbidden => StatusCodes.Status403Forbidden,
        AdminError.NotFound or AdminError.NoBaseline or AdminError.UnknownCommand => StatusCodes.Status404NotFound,
        AdminError.NoLegacyTraffic or AdminError.RolloutActive or AdminError.RolloutRefused or AdminError.CriticalHealth => StatusCodes.Status409Conflict,
        AdminError.StoreUnavailable or AdminError.TooManyStreams => StatusCodes.Status503ServiceUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "not an admin error"),
    };

    public static IResult Json<T>(T value, JsonTypeInfo<T> type) => Results.Json(value, type);

    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted);
            return value is null
                ? (null, Refuse(AdminError.InvalidRequest, "the body must be a JSON object"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Refuse(AdminError.InvalidRequest, $"the body is not valid JSON for this request: {ex.Message}"));
        }
    }

    /// <summary>A body that may be absent (then the command says what it misses, such as a reason).</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadOptionalAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false
            ? (null, null)
            : await ReadAsync(context, type);

}
