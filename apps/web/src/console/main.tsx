import { render } from 'preact';
import '../shared/styles.css';
import { initTheme } from '../shared/theme.js';
import { App } from './app.js';

initTheme();
render(<App />, document.getElementById('app')!);
