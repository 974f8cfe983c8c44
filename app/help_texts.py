"""Texts of the Help menu (HTML for QMessageBox/QTextBrowser)."""

ABOUT = """
<h3>Netbuilder {version}</h3>
<p>Build and train dense neural networks on your desktop and watch them learn, live.</p>
<p>Training follows the course's three steps, which are the three areas of the window:</p>
<ol>
<li><b>Specify how the output is computed from the input</b> — the layers and their
activations (palette and canvas);</li>
<li><b>Specify the loss and the cost</b> — the <i>Training settings</i> panel;</li>
<li><b>Minimise the cost with gradient descent</b> — the Training toolbar.</li>
</ol>
<p>The engine is pure NumPy and speaks Keras: <i>Edit ▸ Copy as Keras Code</i> gives the
same network as a TensorFlow/Keras script.</p>
<p>MIT licence.</p>
"""

CHOOSING_ACTIVATIONS = """
<h3>Choosing activations</h3>
<p><b>Output layer</b> — pick the activation from what the target <i>y</i> is:</p>
<table cellspacing="6">
<tr><td><b>Sigmoid</b></td><td>binary classification, y = 0 or 1
 (with binary cross-entropy)</td></tr>
<tr><td><b>Linear</b></td><td>regression, y can be positive or negative
 (with mean squared error)</td></tr>
<tr><td><b>ReLU</b></td><td>regression, y is never negative (e.g. a price)</td></tr>
<tr><td><b>Softmax</b></td><td>several classes, one unit per class
 (with sparse categorical cross-entropy)</td></tr>
</table>
<p><b>Hidden layers</b> — use <b>ReLU</b>. It is the most common choice: it is faster to
compute and it is flat on one side only, while sigmoid is flat on both sides, which makes
gradient descent slow.</p>
<p><b>Why not linear everywhere?</b> A linear function of a linear function is linear:</p>
<ul>
<li>all layers linear → the network is just <b>linear regression</b>;</li>
<li>linear hidden layers with a sigmoid output → just <b>logistic regression</b>.</li>
</ul>
<p>The Advisor panel checks these rules as you build and offers one-click fixes.</p>
"""
