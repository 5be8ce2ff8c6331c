using System.Text.Json.Serialization;

namespace Cutover.Server.Contracts;

/// <summary>Source-generated JSON for every body the server reads or writes; snake_case field names, as in DESIGN.md.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified,
    WriteIndented = false,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ReadinessResponse))]
[JsonSerializable(typeof(RoutingResponse))]
[JsonSerializable(typeof(HistoryResponse))]
[JsonSerializable(typeof(ChangeResponse))]
[JsonSerializable(typeof(ExplainResponse))]
[JsonSerializable(typeof(List<ExplainedUpdate>))]
[JsonSerializable(typeof(List<HistoryEvent>))]
[JsonSerializable(typeof(RoutingRequest))]
[JsonSerializable(typeof(RoutableRequest))]
[JsonSerializable(typeof(ReasonRequest))]
[JsonSerializable(typeof(OverrideRequest))]
[JsonSerializable(typeof(OverrideView))]
[JsonSerializable(typeof(List<OverrideView>))]
[JsonSerializable(typeof(HealthSummary))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(StatsSeriesResponse))]
[JsonSerializable(typeof(ChangeEventView))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(BaselineView))]
[JsonSerializable(typeof(BaselineRequest))]
[JsonSerializable(typeof(RolloutStatusResponse))]
[JsonSerializable(typeof(RolloutPlanResponse))]
[JsonSerializable(typeof(RolloutRequest))]
[JsonSerializable(typeof(RollbackRequest))]
[JsonSerializable(typeof(RolloutCommandResponse))]
[JsonSerializable(typeof(List<RollbackView>))]
[JsonSerializable(typeof(SimulationResponse))]
[JsonSerializable(typeof(UserView))]
[JsonSerializable(typeof(DeadLetterListResponse))]
[JsonSerializable(typeof(DeadLetterDetailView))]
[JsonSerializable(typeof(DeadLetterReplayRequest))]
[JsonSerializable(typeof(DeadLetterReplayResponse))]
[JsonSerializable(typeof(DeadLetterPurgeRequest))]
[JsonSerializable(typeof(DeadLetterPurgeResponse))]
[JsonSerializable(typeof(DecisionListResponse))]
[JsonSerializable(typeof(DecisionView))]
public sealed partial class ServerJson : JsonSerializerContext;
