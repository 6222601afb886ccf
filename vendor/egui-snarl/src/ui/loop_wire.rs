//! Wires from a node to itself (Switchyard addition): drawn as a loop around the node,
//! out of its output to the right, under the node, and back into its input from the
//! left, with rounded corners. A curve straight between the pins would run behind the
//! node and not be seen.

use egui::{Pos2, Rect, pos2};

/// How far a loop runs out of its pins before it turns, and under the node.
const REACH: f32 = 18.0;
/// The radius of a loop's corners.
const CORNER: f32 = 10.0;
/// Points sampled along each rounded corner.
const CORNER_SAMPLES: usize = 6;

/// The polyline of a wire from `from` (an output pin) to `to` (an input pin) of the node
/// whose frame is `frame`. `frame_size` (the style's wire frame size) widens the loop
/// for styles with larger wire curves.
pub fn points(from: Pos2, to: Pos2, frame: Rect, frame_size: f32) -> Vec<Pos2> {
    let reach = REACH.max(frame_size * 0.5);
    let right = from.x.max(frame.right()) + reach;
    let left = to.x.min(frame.left()) - reach;
    let bottom = frame.bottom().max(from.y).max(to.y) + reach;
    let corners = [
        from,
        pos2(right, from.y),
        pos2(right, bottom),
        pos2(left, bottom),
        pos2(left, to.y),
        to,
    ];
    rounded(&corners, CORNER)
}

/// `corners` joined by straight lines whose inner corners are rounded with `radius`
/// (less where a segment is too short).
fn rounded(corners: &[Pos2], radius: f32) -> Vec<Pos2> {
    let mut out = Vec::with_capacity(corners.len() * (CORNER_SAMPLES + 1));
    let Some(&first) = corners.first() else {
        return out;
    };
    out.push(first);
    for window in corners.windows(3) {
        let [before, corner, after] = [window[0], window[1], window[2]];
        let (in_dir, out_dir) = (corner - before, after - corner);
        let r = radius
            .min(in_dir.length() * 0.5)
            .min(out_dir.length() * 0.5);
        let start = corner - in_dir.normalized() * r;
        let end = corner + out_dir.normalized() * r;
        // A quadratic Bézier from `start` to `end` with `corner` as its control point.
        for i in 0..=CORNER_SAMPLES {
            let t = i as f32 / CORNER_SAMPLES as f32;
            let a = start.lerp(corner, t);
            let b = corner.lerp(end, t);
            out.push(a.lerp(b, t));
        }
    }
    if let Some(&last) = corners.last() {
        out.push(last);
    }
    out
}

/// The point half-way along the polyline `points` (by length): under the node.
pub fn middle(points: &[Pos2]) -> Option<Pos2> {
    let length: f32 = points.windows(2).map(|s| s[0].distance(s[1])).sum();
    let mut left = length * 0.5;
    for segment in points.windows(2) {
        let (a, b) = (segment[0], segment[1]);
        let step = a.distance(b);
        if step >= left && step > 0.0 {
            return Some(a.lerp(b, left / step));
        }
        left -= step;
    }
    points.last().copied()
}

/// Whether `pos` is within `distance` of the polyline `points`.
pub fn hit(points: &[Pos2], pos: Pos2, distance: f32) -> bool {
    points.windows(2).any(|segment| {
        let (a, b) = (segment[0], segment[1]);
        let ab = b - a;
        let t = if ab.length_sq() > 0.0 {
            ((pos - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (a + ab * t).distance(pos) <= distance
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_runs_around_the_node_and_is_hit_below_it() {
        let frame = Rect::from_min_max(pos2(0.0, 0.0), pos2(200.0, 80.0));
        let (from, to) = (pos2(205.0, 40.0), pos2(-5.0, 40.0));
        let points = points(from, to, frame, 0.0);
        assert_eq!(points.first(), Some(&from));
        assert_eq!(points.last(), Some(&to));
        let bounds = Rect::from_points(&points);
        assert!(
            bounds.bottom() > frame.bottom()
                && bounds.left() < frame.left()
                && bounds.right() > frame.right()
        );
        // Nothing of it crosses the node.
        assert!(points.iter().all(|p| !frame.shrink(1.0).contains(*p)));
        assert!(hit(&points, pos2(100.0, frame.bottom() + REACH + 3.0), 4.0));
        assert!(!hit(&points, pos2(100.0, 40.0), 4.0));
        // Half-way along it: under the node, between its sides.
        let middle = middle(&points).unwrap();
        assert!(
            middle.y > frame.bottom() && (middle.x - 100.0).abs() < 1.0,
            "{middle:?}"
        );
    }
}
