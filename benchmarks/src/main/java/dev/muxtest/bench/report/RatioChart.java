package dev.muxtest.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws each figure's ratio to its baseline as a horizontal bar on a logarithmic axis centred on 1x
 * (Java2D, headless): bars to the right beat their baseline, bars to the left fall short.
 */
public final class RatioChart {

  private static final int WIDTH = 1320;
  private static final int ROW = 32;
  private static final int TOP = 92;
  private static final int BOTTOM = 70;
  private static final int LABEL_RIGHT = 400;
  private static final int PLOT_LEFT = 420;
  private static final int PLOT_RIGHT = 900;
  private static final int NOTE_LEFT = 920;
  private static final Color BETTER = new Color(0x2e7d32);
  private static final Color WORSE = new Color(0xef6c00);
  private static final Color FAILED = new Color(0xc62828);
  private static final Color GRID = new Color(0xdddddd);
  private static final Color TEXT = new Color(0x212121);
  private static final Color NOTE = new Color(0x616161);

  private RatioChart() {}

  /** Writes the chart of {@code figures} as a PNG to {@code file}. */
  public static void write(Path file, String title, String subtitle, List<Figure> figures)
      throws IOException {
    int height = TOP + ROW * figures.size() + BOTTOM;
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, height);
      Axis axis = Axis.covering(figures);
      header(g, title, subtitle);
      grid(g, axis, height);
      for (int i = 0; i < figures.size(); i++) {
        row(g, axis, figures.get(i), TOP + i * ROW);
      }
      legend(g, height);
    } finally {
      g.dispose();
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("No PNG writer available");
    }
  }

  private static void header(Graphics2D g, String title, String subtitle) {
    g.setColor(TEXT);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
    g.drawString(title, 20, 32);
    g.setColor(NOTE);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawString(subtitle, 20, 54);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString("figure", 20, TOP - 10);
    g.drawString("ratio to its baseline (log scale)", PLOT_LEFT, TOP - 10);
    g.drawString("ratio   value vs baseline", NOTE_LEFT, TOP - 10);
  }

  private static void grid(Graphics2D g, Axis axis, int height) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    int bottom = height - BOTTOM;
    for (int exponent = axis.lowExponent; exponent <= axis.highExponent; exponent++) {
      double tick = Math.pow(10, exponent);
      int x = axis.x(tick);
      g.setColor(exponent == 0 ? TEXT : GRID);
      g.setStroke(new BasicStroke(exponent == 0 ? 2f : 1f));
      g.drawLine(x, TOP - 4, x, bottom);
      String label = BigDecimal.ONE.scaleByPowerOfTen(exponent).toPlainString() + "x";
      g.setColor(NOTE);
      g.drawString(label, x - metrics.stringWidth(label) / 2, bottom + 16);
    }
    g.setStroke(new BasicStroke(1f));
  }

  private static void row(Graphics2D g, Axis axis, Figure figure, int top) {
    int baseline = top + ROW / 2 + 5;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.setColor(TEXT);
    drawRight(
        g,
        fit(g, figure.ok() ? figure.title() : figure.id(), LABEL_RIGHT - 20),
        LABEL_RIGHT,
        baseline);
    if (!figure.ok()) {
      g.setColor(FAILED);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
      g.drawString(
          "FAILED: " + fit(g, figure.error(), WIDTH - PLOT_LEFT - 90), PLOT_LEFT, baseline);
      return;
    }
    double ratio = figure.ratio();
    int one = axis.x(1);
    int end = axis.x(ratio);
    g.setColor(ratio >= 1 ? BETTER : WORSE);
    g.fillRect(Math.min(one, end), top + 7, Math.max(2, Math.abs(end - one)), ROW - 14);
    if (figure.rounds() != null) {
      // The range of the per-round ratios, as a whisker across the bar's end.
      int low = axis.x(figure.rounds().min());
      int high = axis.x(figure.rounds().max());
      int middle = top + ROW / 2;
      g.setColor(TEXT);
      g.drawLine(low, middle, high, middle);
      g.drawLine(low, middle - 4, low, middle + 4);
      g.drawLine(high, middle - 4, high, middle + 4);
    }
    g.setColor(TEXT);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString(SummaryTable.ratio(ratio), NOTE_LEFT, baseline);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(NOTE);
    String note =
        number(figure.value())
            + " vs "
            + number(figure.baseline())
            + figure.target().map(t -> t.met() ? "   target met" : "   target missed").orElse("");
    g.drawString(fit(g, note, WIDTH - NOTE_LEFT - 70), NOTE_LEFT + 62, baseline);
  }

  private static void legend(Graphics2D g, int height) {
    int y = height - BOTTOM + 44;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(BETTER);
    g.fillRect(PLOT_LEFT, y - 10, 14, 12);
    g.setColor(TEXT);
    g.drawString("better than its baseline (right of 1x)", PLOT_LEFT + 20, y);
    g.setColor(WORSE);
    g.fillRect(PLOT_LEFT + 280, y - 10, 14, 12);
    g.setColor(TEXT);
    g.drawString("worse than its baseline (left of 1x)", PLOT_LEFT + 300, y);
  }

  private static String number(Measure m) {
    return SummaryTable.number(m.value()) + " " + m.unit();
  }

  private static void drawRight(Graphics2D g, String text, int right, int baseline) {
    g.drawString(text, right - g.getFontMetrics().stringWidth(text), baseline);
  }

  private static String fit(Graphics2D g, String text, int width) {
    FontMetrics metrics = g.getFontMetrics();
    if (metrics.stringWidth(text) <= width) {
      return text;
    }
    String cut = text;
    while (!cut.isEmpty() && metrics.stringWidth(cut + "...") > width) {
      cut = cut.substring(0, cut.length() - 1);
    }
    return cut + "...";
  }

  /** The log-scale x axis: whole powers of ten that cover every ratio and 1x. */
  private static final class Axis {
    final int lowExponent;
    final int highExponent;

    private Axis(int lowExponent, int highExponent) {
      this.lowExponent = lowExponent;
      this.highExponent = highExponent;
    }

    static Axis covering(List<Figure> figures) {
      double low = 1;
      double high = 1;
      for (Figure f : figures) {
        if (f.ok() && f.ratio() > 0 && Double.isFinite(f.ratio())) {
          low = Math.min(low, f.ratio());
          high = Math.max(high, f.ratio());
          if (f.rounds() != null && f.rounds().min() > 0) {
            low = Math.min(low, f.rounds().min());
            high = Math.max(high, f.rounds().max());
          }
        }
      }
      return new Axis(
          Math.min(-1, (int) Math.floor(Math.log10(low))),
          Math.max(1, (int) Math.ceil(Math.log10(high))));
    }

    int x(double ratio) {
      double clamped =
          Math.max(Math.pow(10, lowExponent), Math.min(Math.pow(10, highExponent), ratio));
      double position = (Math.log10(clamped) - lowExponent) / (highExponent - lowExponent);
      return PLOT_LEFT + (int) Math.round(position * (PLOT_RIGHT - PLOT_LEFT));
    }
  }
}
