//! The job-size chart of a run: per class, the share of jobs and the share of core-hours in
//! each power-of-two band of cores, so that "many small jobs, most of the work in wide ones"
//! can be seen at a glance.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_legend, fmt_count, label_font, lighten, mesh_styles, skip, trim, DrawResult, LegendEntry, Mark, Plot, Skipped,
    Spec,
};
use crate::report::rundata::RunData;

/// One class's figures: shares (%) per band, index `b` holding sizes in (2^(b−1), 2^b].
#[derive(Clone, Debug)]
pub(super) struct ClassSizes {
    class: String,
    colour: RGBColor,
    jobs: u64,
    job_share: Vec<f64>,
    core_hour_share: Vec<f64>,
}

/// Bars of every class with jobs, one panel each, over the bands up to the widest job.
#[derive(Clone, Debug)]
pub(super) struct SizesPlot {
    bands: usize,
    classes: Vec<ClassSizes>,
}

/// Band of a job of `procs` cores: 0 for 1 core, b for (2^(b−1), 2^b].
fn band(procs: u64) -> usize {
    procs.max(1).next_power_of_two().trailing_zeros() as usize
}

/// The band's sizes in full ("1", "2", "3–4", ..., "2,049–4,096"), for the caption.
fn band_label(b: usize) -> String {
    match b {
        0 => "1".into(),
        1 => "2".into(),
        _ => format!("{}–{}", fmt_count((1u64 << (b - 1)) + 1), fmt_count(1u64 << b)),
    }
}

/// The band's axis tick: its upper bound, short enough that fourteen bands fit ("1", "2", "≤4",
/// ..., "≤512", "≤1k", "≤4k").
fn band_tick(b: usize) -> String {
    let top = 1u64 << b;
    match b {
        0 | 1 => top.to_string(),
        _ if top >= 1024 => format!("≤{}k", top / 1024),
        _ => format!("≤{top}"),
    }
}

pub(super) fn sizes_spec(run: &RunData) -> Result<Spec, Skipped> {
    let (name, title) = ("job_sizes", "Job sizes: share of jobs and of core-hours");
    let n_classes = run.classes.len();
    let mut jobs = vec![Vec::<u64>::new(); n_classes];
    let mut core_secs = vec![Vec::<f64>::new(); n_classes];
    for j in run.jobs.iter().filter(|j| run.measured(j)) {
        let (c, b) = (j.class as usize, band(j.procs));
        if jobs[c].len() <= b {
            jobs[c].resize(b + 1, 0);
            core_secs[c].resize(b + 1, 0.0);
        }
        jobs[c][b] += 1;
        core_secs[c][b] += j.procs as f64 * j.runtime.unwrap_or(0.0);
    }
    let bands = jobs.iter().map(Vec::len).max().unwrap_or(0);
    let mut classes = Vec::new();
    for (c, counts) in jobs.iter().enumerate() {
        let total: u64 = counts.iter().sum();
        if total == 0 {
            continue;
        }
        let work: f64 = core_secs[c].iter().sum();
        let share = |v: f64, of: f64| if of > 0.0 { 100.0 * v / of } else { 0.0 };
        let mut job_share: Vec<f64> = counts.iter().map(|&k| share(k as f64, total as f64)).collect();
        let mut core_hour_share: Vec<f64> = core_secs[c].iter().map(|&w| share(w, work)).collect();
        job_share.resize(bands, 0.0);
        core_hour_share.resize(bands, 0.0);
        let class = run.classes[c].clone();
        let colour = super::colour_of(run, &class);
        classes.push(ClassSizes { class, colour, jobs: total, job_share, core_hour_share });
    }
    if classes.is_empty() {
        return Err(skip(name, title, "no job was submitted after the warm-up"));
    }
    let one_band: Vec<String> = classes
        .iter()
        .filter(|c| c.job_share.iter().filter(|&&s| s > 0.0).count() == 1)
        .map(|c| {
            let b = c.job_share.iter().position(|&s| s > 0.0).unwrap_or(0);
            format!("every {} job has {} cores", c.class, band_label(b))
        })
        .collect();
    let caption = format!(
        "Jobs submitted after the warm-up, by size in cores, in bands of powers of two (≤8 is 5–8 \
         cores): per class ({}), the share of its jobs (solid) and of the core-hours they ran (pale) in each \
         band.{}",
        classes.iter().map(|c| format!("{} {}", fmt_count(c.jobs), c.class)).collect::<Vec<_>>().join(", "),
        if one_band.is_empty() { String::new() } else { format!(" One band only: {}.", one_band.join("; ")) }
    );
    Ok(Spec { name: name.into(), title: title.into(), caption, plot: Plot::Sizes(SizesPlot { bands, classes }) })
}

pub(super) fn draw_sizes<DB: DrawingBackend>(
    p: &SizesPlot,
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    side: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let panels = area.split_evenly((p.classes.len(), 1));
    let last = p.classes.len() - 1;
    let mut legend = Vec::new();
    for (i, (c, panel)) in p.classes.iter().zip(&panels).enumerate() {
        let y_max = c.job_share.iter().chain(&c.core_hour_share).fold(0.0f64, |a, &b| a.max(b));
        let y_top = ((y_max / 10.0).ceil() * 10.0).clamp(10.0, 100.0);
        let mut chart = ChartBuilder::on(panel)
            .margin(8)
            .x_label_area_size(if i == last { 48 } else { 22 })
            .y_label_area_size(76)
            .build_cartesian_2d(0.0..p.bands as f64, 0.0..y_top)?;
        let x_desc = if i == last { "job size (cores)" } else { "" };
        mesh_styles(&mut chart, x_desc, &format!("% of {}", c.class))
            .x_labels(0)
            .y_labels(3)
            .y_label_formatter(&|v| format!("{}%", trim(*v, 0)))
            .draw()?;
        let pale = lighten(c.colour, 0.55);
        for b in 0..p.bands {
            let x = b as f64;
            chart.draw_series([
                Rectangle::new([(x + 0.12, 0.0), (x + 0.5, c.job_share[b])], c.colour.filled()),
                Rectangle::new([(x + 0.5, 0.0), (x + 0.88, c.core_hour_share[b])], pale.filled()),
            ])?;
            // Band labels under the lowest panel only; every panel shares them.
            if i == last {
                let (px, py) = chart.backend_coord(&(x + 0.5, 0.0));
                let label = band_tick(b);
                let w = 7 * label.chars().count() as i32 / 2;
                root.draw(&Text::new(label, (px - w, py + 6), label_font()))?;
            }
        }
        legend.push(LegendEntry { label: format!("{} jobs", c.class), colour: c.colour, kind: Mark::Box });
        legend.push(LegendEntry { label: format!("{} core-hours", c.class), colour: pale, kind: Mark::Box });
    }
    draw_legend(side, &legend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_powers_of_two() {
        assert_eq!([1, 2, 3, 4, 5, 8, 9, 32, 33, 6016].map(band), [0, 1, 2, 2, 3, 3, 4, 5, 6, 13]);
        assert_eq!(band_label(0), "1");
        assert_eq!(band_label(2), "3–4");
        assert_eq!(band_label(13), "4,097–8,192");
        assert_eq!([0, 1, 2, 9, 10, 13].map(band_tick), ["1", "2", "≤4", "≤512", "≤1k", "≤8k"]);
    }
}
