using System.Text.Json.Nodes;
using Demo.Data;
using Engine.Models;

namespace Demo.Commands;

/// <summary>The summary command's --json document (<see cref="DemoJson"/>).</summary>
public sealed record SummaryJson(string Model, string Format, int Parameters, IReadOnlyList<SummaryRow> Layers,
                                 JsonObject Architecture, ModelMetadata Data);
