using System.Globalization;
using ScottPlot;

namespace Demo.Reports;

/// <summary>
/// The report's PNG charts, drawn headless with ScottPlot. Text uses DejaVu Sans shipped beside the program
/// (Fonts/DejaVuSans.ttf), registered once, so labels render on a machine with no fonts installed.
/// </summary>
public static class Plots
{
    /// <summary>The font family every chart uses.</summary>
    public const string FontName = "DejaVu Sans";

    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>The shipped font file.</summary>
    public static string FontFile => Path.Combine(AppContext.BaseDirectory, "Fonts", "DejaVuSans.ttf");

    /// <summary>Registers the shipped font with ScottPlot and makes it the default (idempotent).</summary>
    public static void RegisterFont()
    {
        lock (Gate)
        {
            if (_registered) return;
            if (!File.Exists(FontFile)) throw new FileNotFoundException($"the chart font is missing: {FontFile}");
            Fonts.AddFontFile(FontName, FontFile, bold: false, italic: false);
            Fonts.AddFontFile(FontName, FontFile, bold: true, italic: false);
            Fonts.Default = FontName;
            Fonts.Sans = FontName;
            _registered = true;
        }
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        RegisterFont();
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>Training (and validation) loss per epoch.</summary>
    public static void Loss(string path, IReadOnlyList<double> epochs, IReadOnlyList<double> loss,
                            IReadOnlyList<double>? validation, string lossName)
    {
        var plot = NewPlot("Loss per epoch", "Epoch", $"Loss ({lossName})");
        var train = plot.Add.Scatter(epochs.ToArray(), loss.ToArray());
        train.LegendText = "training";
        train.LineWidth = 2;
        train.MarkerSize = 6;
        if (validation is not null)
        {
            var val = plot.Add.Scatter(epochs.ToArray(), validation.ToArray());
            val.LegendText = "validation";
            val.LineWidth = 2;
            val.MarkerSize = 6;
            val.LinePattern = LinePattern.Dashed;
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        Save(plot, path, 720, 420);
    }

    /// <summary>
    /// One method's scores as horizontal bars, rank 1 at the top (a method may rank by magnitude, so a large
    /// negative score can rank first), with the 95% interval as error bars where the method has one.
    /// </summary>
    /// <param name="labels">A label per feature drawn on its bar (a stepwise search's steps), or null.</param>
    public static void Scores(string path, string title, IReadOnlyList<string> features, IReadOnlyList<double> scores,
                              IReadOnlyList<int> ranks,
                              IReadOnlyList<(double Low, double High)?> intervals, string scoreLabel,
                              IReadOnlyList<string>? labels = null)
    {
        int n = features.Count;
        var order = Enumerable.Range(0, n).OrderByDescending(i => ranks[i]).ToArray(); // bar 0 is drawn at the bottom
        var plot = NewPlot(title, scoreLabel, "");
        var bars = new List<Bar>();
        for (int p = 0; p < n; p++)
        {
            int i = order[p];
            var bar = new Bar
            {
                Position = p, Value = scores[i], FillColor = Colors.SteelBlue, Size = 0.7,
                Label = labels?[i] ?? ""
            };
            if (intervals[i] is var (lo, hi))
            {
                // ScottPlot's error bar is symmetric: half the interval's width, centred on the score.
                bar.Error = Math.Max(hi - scores[i], scores[i] - lo);
                bar.ErrorSize = 0.25;
            }
            bars.Add(bar);
        }
        var plottable = plot.Add.Bars(bars);
        plottable.Horizontal = true;
        plot.Axes.Left.SetTicks(Enumerable.Range(0, n).Select(p => (double)p).ToArray(),
                                order.Select(i => features[i]).ToArray());
        plot.Axes.Margins(left: 0);
        if (labels is not null)
        {
            // An order, not a measure: room for the labels at the bars' ends, no numbers on the axis.
            plot.Axes.SetLimitsX(0, scores.Max() * 1.15);
            plot.Axes.Bottom.TickLabelStyle.IsVisible = false;
        }
        if (scores.Any(s => s < 0)) plot.Add.VerticalLine(0, 1, Colors.Black);
        Save(plot, path, 720, 120 + 45 * n);
    }

    /// <summary>A steps x features map as a heatmap: time on the x axis, one row per feature.</summary>
    public static void Map(string path, string title, IReadOnlyList<string> features, double[,] map, string xLabel,
                           IReadOnlyList<string>? stepLabels = null)
    {
        int steps = map.GetLength(0), f = map.GetLength(1);
        var intensities = new double[f, steps]; // row = feature (top row = first feature), column = step
        for (int t = 0; t < steps; t++)
            for (int j = 0; j < f; j++) intensities[j, t] = map[t, j];
        var plot = NewPlot(title, xLabel, "");
        var heat = plot.Add.Heatmap(intensities);
        heat.Colormap = new ScottPlot.Colormaps.Viridis();
        heat.Extent = new CoordinateRect(0, steps - 1, 0, f - 1); // centres of the corner cells
        plot.Add.ColorBar(heat);
        plot.Axes.Left.SetTicks(Enumerable.Range(0, f).Select(j => (double)(f - 1 - j)).ToArray(), features.ToArray());
        int every = Math.Max(1, steps / 12);
        var ticks = Enumerable.Range(0, steps).Where(t => t % every == 0 || t == steps - 1).ToArray();
        plot.Axes.Bottom.SetTicks(ticks.Select(t => (double)t).ToArray(),
                                  ticks.Select(t => stepLabels?[t] ?? t.ToString(CultureInfo.InvariantCulture))
                                       .ToArray());
        plot.Axes.SetLimits(-0.5, steps - 0.5, -0.5, f - 0.5);
        Save(plot, path, 820, 160 + 50 * f);
    }

    /// <summary>
    /// The ranking comparison: a row per method, a column per feature, each cell coloured by the rank and labelled with
    /// it (1 = most important, brightest).
    /// </summary>
    public static void Ranks(string path, IReadOnlyList<string> methods, IReadOnlyList<string> features, int[,] ranks)
    {
        int m = methods.Count, f = features.Count;
        var intensities = new double[m, f]; // row = method (top row = first method), column = feature
        var labels = new string[m, f];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < f; j++)
            {
                intensities[i, j] = f + 1 - ranks[i, j];
                labels[i, j] = ranks[i, j].ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        LabelledGrid(path, "Rank of each feature by method (1 = most important)", methods, features, intensities,
                     labels, f + 1 - (f + 1) / 2, Math.Max(560, 260 + 110 * f), 120 + 34 * m);
    }

    /// <summary>
    /// Spearman's rho between every two methods as a square grid, each cell coloured by rho (-1 to 1, brightest = 1)
    /// and labelled with it to two decimals ("-" where undefined).
    /// </summary>
    public static void Correlations(string path, IReadOnlyList<string> methods, double[,] rho)
    {
        int m = methods.Count;
        var labels = new string[m, m];
        var intensities = new double[m, m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
            {
                intensities[a, b] = double.IsFinite(rho[a, b]) ? rho[a, b] : 0;
                labels[a, b] = double.IsFinite(rho[a, b])
                    ? rho[a, b].ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-";
            }
        LabelledGrid(path, "Spearman's rho between the methods' rankings", methods,
                     Enumerable.Range(1, m).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                         .ToList(), intensities, labels, 0.5, Math.Max(560, 260 + 70 * m), 120 + 34 * m,
                     rowNumbers: true, scale: (-1, 1));
    }

    // A grid of labelled cells: row i (top = first) and column j coloured by intensities[i, j] (Viridis), labels in
    // black on cells at or above darkFrom, white below. rowNumbers: "1 name" on the left, for the numbered columns.
    private static void LabelledGrid(string path, string title, IReadOnlyList<string> rows,
                                     IReadOnlyList<string> columns, double[,] intensities, string[,] labels,
                                     double darkFrom, int width, int height, bool rowNumbers = false,
                                     (double Min, double Max)? scale = null)
    {
        int m = rows.Count, f = columns.Count;
        var plot = NewPlot(title, "", "");
        var heat = plot.Add.Heatmap(intensities);
        heat.Colormap = new ScottPlot.Colormaps.Viridis();
        if (scale is { } s) heat.ManualRange = new ScottPlot.Range(s.Min, s.Max);
        heat.Extent = new CoordinateRect(0, f - 1, 0, m - 1);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < f; j++)
            {
                var text = plot.Add.Text(labels[i, j], j, m - 1 - i);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 15;
                text.LabelBold = true;
                text.LabelFontColor = intensities[i, j] >= darkFrom ? Colors.Black : Colors.White;
            }
        plot.Axes.Left.SetTicks(Enumerable.Range(0, m).Select(i => (double)(m - 1 - i)).ToArray(),
                                rows.Select((r, i) => rowNumbers ? $"{i + 1} {r}" : r).ToArray());
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, f).Select(j => (double)j).ToArray(), columns.ToArray());
        plot.Axes.SetLimits(-0.5, f - 0.5, -0.5, m - 0.5);
        Save(plot, path, width, height);
    }

    /// <summary>Profile curves: the model's mean output as one feature sweeps its range, one curve per
    /// feature.</summary>
    public static void Profiles(string path, string title,
                                IReadOnlyList<(string Feature, double[] X, double[] Y)> curves, string xLabel,
                                string yLabel)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        for (int c = 0; c < curves.Count; c++)
        {
            var s = plot.Add.Scatter(curves[c].X, curves[c].Y);
            s.LegendText = curves[c].Feature;
            s.LineWidth = 2;
            s.MarkerSize = 5;
            s.Color = palette.GetColor(c);
        }
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, path, 720, 440);
    }

    /// <summary>
    /// A score per item as horizontal bars, best on top, with symmetric error bars (the 95% interval's half-width) and
    /// labelled vertical reference lines (e.g. chance, a published value); the x axis spans 0..1.
    /// </summary>
    public static void Intervals(string path, string title, string xLabel, IReadOnlyList<string> items,
                                 IReadOnlyList<double> values,
                                 IReadOnlyList<double> halfWidths, IReadOnlyList<(double X, string Label)> references)
    {
        int n = items.Count;
        // bar 0 at the bottom: the best on top
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ThenByDescending(i => i).ToArray();
        var plot = NewPlot(title, xLabel, "");
        var bars = order.Select((i, p) => new Bar
        {
            Position = p, Value = values[i], FillColor = Colors.SteelBlue, Size = 0.7,
            Error = double.IsFinite(halfWidths[i]) ? halfWidths[i] : 0, ErrorSize = 0.25,
        }).ToList();
        var plottable = plot.Add.Bars(bars);
        plottable.Horizontal = true;
        var palette = new ScottPlot.Palettes.Category10();
        for (int r = 0; r < references.Count; r++)
        {
            var line = plot.Add.VerticalLine(references[r].X, 2, palette.GetColor(r + 1));
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = references[r].Label;
        }
        if (references.Count > 0) plot.ShowLegend(Alignment.LowerRight);
        plot.Axes.Left.SetTicks(Enumerable.Range(0, n).Select(p => (double)p).ToArray(),
                                order.Select(i => items[i]).ToArray());
        plot.Axes.SetLimits(0, 1.05, -0.6, n - 0.4);
        Save(plot, path, 860, 140 + 38 * n);
    }

    /// <summary>A marker's colour for an attribution on a symmetric scale: white at 0, blended linearly to the
    /// waterfall's red (<see cref="Colors.Red"/>) at +<paramref name="scale"/> and its blue
    /// (<see cref="Colors.SteelBlue"/>) at -<paramref name="scale"/>, clipped beyond. (A diverging colormap such as
    /// Balance ends near black, which read as neither red nor blue.)</summary>
    internal static Color AttributionColor(double attribution, double scale)
    {
        double w = Math.Clamp(Math.Abs(attribution) / scale, 0, 1);
        var end = attribution >= 0 ? Colors.Red : Colors.SteelBlue;
        byte Mix(byte to) => (byte)Math.Round(255 + (to - 255) * w, MidpointRounding.AwayFromZero);
        return new Color(Mix(end.R), Mix(end.G), Mix(end.B));
    }

    /// <summary>
    /// One prediction explained: on top, each input series (one row per feature, values scaled to the row) with every
    /// step's marker coloured by its attribution (red raised the prediction, blue lowered it, white none; the colour
    /// scale is symmetric), the explained step marked; below, the waterfall from the start value through the top cells
    /// and the rest to the prediction.
    /// </summary>
    public static void Explanation(string path, Commands.ExplainCommand.Explanation e,
                                   (List<(int Feature, int Step, double Value)> Cells, double Others) waterfall)
    {
        int steps = e.Attribution.GetLength(0), f = e.Attribution.GetLength(1);
        double scale = 0;
        foreach (var v in e.Attribution) scale = Math.Max(scale, Math.Abs(v));
        if (scale == 0) scale = 1;
        var top = NewPlot($"Series {e.SeriesId}, step {e.Step}: attribution of the prediction ({e.Method})", "step",
                          "");
        for (int i = 0; i < f; i++)
        {
            double low = double.MaxValue, high = double.MinValue;
            for (int t = 0; t < steps; t++)
            {
                low = Math.Min(low, e.Values[t, i]);
                high = Math.Max(high, e.Values[t, i]);
            }
            double row = f - 1 - i, span = high > low ? high - low : 1;
            var ys = Enumerable.Range(0, steps).Select(t => row - 0.35 + 0.7 * (e.Values[t, i] - low) / span).ToArray();
            var xs = Enumerable.Range(0, steps).Select(t => (double)t).ToArray();
            var line = top.Add.Scatter(xs, ys, Colors.Gray);
            line.MarkerSize = 0;
            for (int t = 0; t < steps; t++)
            {
                var marker = top.Add.Marker(t, ys[t], MarkerShape.FilledCircle, 11,
                                            AttributionColor(e.Attribution[t, i], scale));
                marker.MarkerLineColor = Colors.Black;
                marker.MarkerLineWidth = 0.5f;
            }
        }
        var here = top.Add.VerticalLine(e.Step, 1, Colors.Black);
        here.LinePattern = LinePattern.Dashed;
        top.Axes.Left.SetTicks(Enumerable.Range(0, f).Select(i => (double)(f - 1 - i)).ToArray(), e.Features);
        top.Axes.SetLimits(-0.6, steps - 0.4, -0.6, f - 0.4);
        top.XLabel($"step (marker colour: attribution, red +, blue -, full colour at " +
                   $"±{scale.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)})");

        var bottom = NewPlot("Waterfall: from the start to the prediction", "prediction", "");
        var labels = new List<string> { "start" };
        var bars = new List<Bar>();
        double running = e.Start;
        int n = waterfall.Cells.Count + 2;
        bars.Add(new Bar { Position = n - 1, ValueBase = 0, Value = running, FillColor = Colors.Gray, Size = 0.7 });
        var parts = new List<(string Label, double Value)>();
        foreach (var (feature, step, value) in waterfall.Cells) parts.Add(($"{e.Features[feature]} @ {step}", value));
        parts.Add(("the rest", waterfall.Others));
        for (int k = 0; k < parts.Count; k++)
        {
            double next = running + parts[k].Value;
            bars.Add(new Bar
            {
                Position = n - 2 - k, ValueBase = running, Value = next, Size = 0.7,
                FillColor = parts[k].Value >= 0 ? Colors.Red : Colors.SteelBlue,
            });
            labels.Add(parts[k].Label);
            running = next;
        }
        var plottable = bottom.Add.Bars(bars);
        plottable.Horizontal = true;
        var end = bottom.Add.VerticalLine(e.Prediction, 1, Colors.Black);
        end.LinePattern = LinePattern.Dashed;
        end.LegendText = "prediction " + e.Prediction.ToString("F" + Commands.ExplainCommand.Decimals(e),
                                                               System.Globalization.CultureInfo.InvariantCulture);
        bottom.ShowLegend(Alignment.LowerRight);
        bottom.Axes.Left.SetTicks(Enumerable.Range(0, labels.Count).Select(k => (double)(n - 1 - k)).ToArray(),
                                  labels.ToArray());

        var multiplot = new Multiplot();
        multiplot.Reset(top);
        multiplot.AddPlot(bottom);
        int height = 160 + 60 * f + 120 + 30 * n;
        Engine.IO.AtomicFile.WriteAllBytes(path, multiplot.Render(900, height).GetImageBytes(ImageFormat.Png));
    }

    /// <summary>
    /// The reference experiment across seeds: one point per training and input, final loss on x, perturbation effect
    /// on y (x1, x2, x3 in three colours), the published Keras run as large diamonds and vertical lines at the
    /// loss thresholds that separate the modes.
    /// </summary>
    public static void SeedSweep(string path, IReadOnlyList<double> losses, IReadOnlyList<double[]> effects,
                                 double publishedLoss, IReadOnlyList<double> publishedEffects, double convergedLoss,
                                 double deadLoss)
    {
        var plot = NewPlot($"Reference experiment over {losses.Count} seeds", "Final training loss (BCE)",
                           "Perturbation effect");
        var palette = new ScottPlot.Palettes.Category10();
        for (int f = 0; f < publishedEffects.Count; f++)
        {
            var points = plot.Add.Scatter(losses.ToArray(), effects.Select(e => e[f]).ToArray());
            points.Color = palette.GetColor(f);
            points.LineWidth = 0;
            points.MarkerSize = 4;
            points.LegendText = $"x{f + 1}";
            var keras = plot.Add.Scatter(new[] { publishedLoss }, new[] { publishedEffects[f] });
            keras.Color = palette.GetColor(f);
            keras.MarkerShape = MarkerShape.FilledDiamond;
            keras.MarkerSize = 16;
            keras.LegendText = $"x{f + 1}, Keras (published)";
        }
        var converged = plot.Add.VerticalLine(convergedLoss, 1, Colors.Gray);
        converged.LinePattern = LinePattern.Dashed;
        converged.LegendText = "converged | partially trained";
        var dead = plot.Add.VerticalLine(deadLoss, 1, Colors.Black);
        dead.LinePattern = LinePattern.Dotted;
        dead.LegendText = "partially trained | dead";
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, 860, 520);
    }

    private static void Save(Plot plot, string path, int width, int height) =>
        Engine.IO.AtomicFile.WriteAllBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));
}
