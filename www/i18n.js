// Every visible string of the page in English and Korean. The language follows the browser
// (Korean for `ko*`, else English), `?lang=en|ko` overrides it, and the toggle switches it live.
// Keras names (Conv2D, relu, model.summary()) and the engine's own messages stay as they are.

import { LAB_STRINGS } from './lab-strings.js';

const STRINGS = {
  'app.title': { en: 'convlab', ko: 'convlab' },
  'app.subtitle': { en: 'Build a network, train it, watch it learn', ko: '신경망을 만들고, 학습시키고, 배우는 모습을 지켜보세요' },
  'lang.toggle': { en: '한국어', ko: 'English' },
  'lang.toggle_label': { en: 'Switch the page to Korean', ko: '페이지를 영어로 바꾸기' },
  'data.label': { en: 'MNIST download', ko: 'MNIST 내려받기' },
  'data.ready': { en: 'MNIST: {train} training and {test} test images', ko: 'MNIST: 학습 이미지 {train}장, 테스트 이미지 {test}장' },
  'data.failed': { en: 'MNIST could not be loaded: {message}', ko: 'MNIST를 불러오지 못했습니다: {message}' },

  'panel.builder': { en: 'Model', ko: '모델' },
  'panel.summary': { en: 'Summary and output sizes', ko: '요약과 출력 크기' },
  'panel.training': { en: 'Training', ko: '학습' },
  'panel.curves': { en: 'Learning curves', ko: '학습 곡선' },
  'panel.maps': { en: 'Feature maps', ko: '특성 맵' },
  'panel.prediction': { en: 'Prediction', ko: '예측' },

  'builder.presets': { en: 'Presets:', ko: '미리 만든 모델:' },
  'preset.seed-cnn': { en: 'Lesson CNN', ko: '수업용 CNN' },
  'preset.seed-mlp': { en: 'Lesson MLP', ko: '수업용 MLP' },
  'builder.layers': { en: 'Layers', ko: '층' },
  'builder.input': { en: 'Input (28×28 grey image)', ko: '입력 (28×28 흑백 이미지)' },
  'builder.add_label': { en: 'New layer', ko: '새 층' },
  'builder.add': { en: 'Add layer', ko: '층 추가' },
  'builder.move_up': { en: 'Move layer {index} up', ko: '{index}번 층을 위로' },
  'builder.move_down': { en: 'Move layer {index} down', ko: '{index}번 층을 아래로' },
  'builder.remove': { en: 'Remove layer {index}', ko: '{index}번 층 삭제' },
  'builder.no_arguments': { en: 'No arguments to set', ko: '설정할 인자가 없습니다' },
  'builder.params': { en: '{count} parameters', ko: '파라미터 {count}개' },
  'arg.filters': { en: 'Filters', ko: '필터 수' },
  'arg.kernel_size': { en: 'Kernel size', ko: '커널 크기' },
  'arg.strides': { en: 'Stride', ko: '스트라이드' },
  'arg.strides_default': { en: 'Empty (None) means the pool size', ko: '비워 두면(None) 풀 크기와 같습니다' },
  'arg.pool_size': { en: 'Pool size', ko: '풀 크기' },
  'arg.padding': { en: 'Padding', ko: '패딩' },
  'arg.units': { en: 'Units', ko: '유닛 수' },
  'arg.activation': { en: 'Activation', ko: '활성화 함수' },
  'arg.rate': { en: 'Rate', ko: '드롭아웃 비율' },

  'summary.caption': { en: 'Model: "{name}"', ko: '모델: "{name}"' },
  'summary.layer_type': { en: 'Layer (type)', ko: '층 (종류)' },
  'summary.output_shape': { en: 'Output Shape', ko: '출력 모양' },
  'summary.params': { en: 'Param #', ko: '파라미터 수' },
  'summary.output_size': { en: 'output size:', ko: '출력 크기:' },
  'summary.height': { en: 'height', ko: '높이' },
  'summary.width': { en: 'width', ko: '너비' },
  'summary.total': { en: 'Total params:', ko: '전체 파라미터:' },
  'summary.trainable': { en: 'Trainable params:', ko: '학습되는 파라미터:' },
  'summary.non_trainable': { en: 'Non-trainable params:', ko: '학습되지 않는 파라미터:' },
  'summary.keras_text': { en: 'As Keras prints it', ko: 'Keras 출력 그대로 보기' },
  'summary.formula_hint': {
    en: 'Output size = (N − F + P)/S + 1: N input size, F kernel or pool size, P padding (top + bottom), S stride; ⌊ ⌋ rounds down.',
    ko: '출력 크기 = (N − F + P)/S + 1: N 입력 크기, F 커널 또는 풀 크기, P 패딩(위 + 아래), S 스트라이드; ⌊ ⌋는 내림입니다.',
  },
  'summary.waiting': { en: 'Checking the model…', ko: '모델을 확인하는 중…' },
  'summary.fix_layer': { en: 'Layer {index} needs a fix before the model can be built:', ko: '모델을 만들려면 {index}번 층을 고쳐야 합니다:' },
  'summary.fix_model': { en: 'The model needs a fix before it can be built:', ko: '모델을 만들려면 고쳐야 할 곳이 있습니다:' },

  'group.optimizer': { en: 'Optimizer', ko: '옵티마이저' },
  'group.data': { en: 'Data', ko: '데이터' },
  'group.regularization': { en: 'Regularization', ko: '규제' },
  'group.augmentation': { en: 'Augmentation', ko: '데이터 증강' },
  'setting.optimizer': { en: 'Optimizer', ko: '옵티마이저' },
  'optimizer.sgd': { en: 'SGD', ko: 'SGD' },
  'optimizer.sgd_momentum': { en: 'SGD + momentum', ko: 'SGD + 모멘텀' },
  'optimizer.rmsprop': { en: 'RMSprop', ko: 'RMSprop' },
  'optimizer.adagrad': { en: 'Adagrad', ko: 'Adagrad' },
  'optimizer.adam': { en: 'Adam', ko: 'Adam' },
  'setting.learning_rate': { en: 'Learning rate', ko: '학습률' },
  'setting.momentum': { en: 'Momentum', ko: '모멘텀' },
  'setting.batch_size': { en: 'Batch size', ko: '배치 크기' },
  'setting.epochs': { en: 'Epochs', ko: '에포크' },
  'setting.train_size': { en: 'Training images', ko: '학습 이미지 수' },
  'setting.train_size.help': { en: 'the first N of 60,000', ko: '60,000장 중 앞에서부터' },
  'setting.validation_split': { en: 'Validation split', ko: '검증 비율' },
  'setting.validation_split.help': { en: 'share held out, e.g. 0.1', ko: '떼어 둘 비율, 예: 0.1' },
  'setting.seed': { en: 'Seed', ko: '시드' },
  'setting.l1': { en: 'L1', ko: 'L1' },
  'setting.l2': { en: 'L2', ko: 'L2' },
  'setting.early_stopping': { en: 'Early stopping', ko: '조기 종료' },
  'setting.early_stopping.help': { en: 'watches val_loss (loss without validation)', ko: 'val_loss를 지켜봄 (검증이 없으면 loss)' },
  'setting.patience': { en: 'Patience', ko: '인내 에포크' },
  'setting.rotation_range': { en: 'Rotation (°)', ko: '회전 (°)' },
  'setting.shift_range': { en: 'Shift (fraction)', ko: '이동 (비율)' },
  'button.train': { en: 'Train', ko: '학습' },
  'button.stop': { en: 'Stop', ko: '정지' },
  'button.reset': { en: 'Reset', ko: '초기화' },
  'reason.loading_engine': { en: 'Train is off: the engine is loading.', ko: '엔진을 불러오는 중이라 학습할 수 없습니다.' },
  'reason.loading_data': { en: 'Train is off until MNIST has arrived.', ko: 'MNIST가 도착할 때까지 학습할 수 없습니다.' },
  'reason.invalid_model': { en: 'Train is off: fix the model first (see the message at the layer).', ko: '먼저 모델을 고쳐야 학습할 수 있습니다 (층 옆의 메시지를 보세요).' },
  'reason.unreadable': { en: 'Train is off: “{setting}” needs a valid number.', ko: '“{setting}”에 올바른 숫자를 넣어야 학습할 수 있습니다.' },

  'chart.loss': { en: 'Loss', ko: '손실' },
  'chart.accuracy': { en: 'Accuracy', ko: '정확도' },
  'chart.x': { en: 'epochs', ko: '에포크' },
  'chart.batch': { en: 'train (per batch, smoothed)', ko: '학습 (배치별, 평활)' },
  'chart.epoch': { en: 'train (per epoch)', ko: '학습 (에포크별)' },
  'chart.validation': { en: 'validation (per epoch)', ko: '검증 (에포크별)' },
  'chart.best_legend': { en: 'best epoch (early stopping)', ko: '최고 에포크 (조기 종료)' },
  'chart.best': { en: 'best epoch {epoch}', ko: '최고 에포크 {epoch}' },
  'chart.empty': { en: 'Press Train to draw the curves', ko: '학습을 누르면 곡선이 그려집니다' },

  'maps.test_image': { en: 'Test image #', ko: '테스트 이미지 번호' },
  'maps.random': { en: 'Random image', ko: '무작위 이미지' },
  'maps.refresh': { en: 'Refresh', ko: '새로 고침' },
  'maps.waiting': { en: 'Feature maps appear when MNIST has arrived.', ko: 'MNIST가 도착하면 특성 맵이 나타납니다.' },
  'maps.none': { en: 'Fix the model to see its feature maps.', ko: '모델을 고치면 특성 맵을 볼 수 있습니다.' },
  'maps.input': { en: 'Input: test image #{index}', ko: '입력: 테스트 이미지 {index}번' },
  'maps.input_label': { en: 'Test image {index}, a handwritten {label}', ko: '테스트 이미지 {index}번, 손으로 쓴 {label}' },
  'maps.channel_label': { en: '{name}, channel {channel}', ko: '{name}, 채널 {channel}' },
  'maps.filters': { en: 'Filters of {name}: {filters} × {size}', ko: '{name}의 필터: {filters}개 × {size}' },
  'maps.filters_slice': { en: 'Each filter has {inputs} input channels; shown: its weights on input channel 1 (red positive, blue negative).', ko: '필터마다 입력 채널이 {inputs}개 있습니다; 입력 채널 1의 가중치를 보여 줍니다 (빨강 양수, 파랑 음수).' },
  'maps.filter_label': { en: '{name}, filter {filter}', ko: '{name}, 필터 {filter}' },
  'maps.show_all': { en: 'Show all {count}', ko: '{count}개 모두 보기' },
  'maps.show_fewer': { en: 'Show the first {count}', ko: '처음 {count}개만 보기' },
  'maps.no_conv': { en: 'This model has no Conv2D or pooling layer, so there are no feature maps to show.', ko: '이 모델에는 Conv2D나 풀링 층이 없어서 보여 줄 특성 맵이 없습니다.' },

  'prediction.predicted': { en: 'Prediction: {digit} ({probability})', ko: '예측: {digit} ({probability})' },
  'prediction.true_label': { en: 'True label: {digit}', ko: '정답: {digit}' },
  'prediction.correct': { en: '✓ correct', ko: '✓ 맞음' },
  'prediction.wrong': { en: '✗ wrong', ko: '✗ 틀림' },
  'prediction.bars': { en: 'Softmax probability of each digit', ko: '숫자별 소프트맥스 확률' },
  'prediction.invalid': { en: 'Fix the model to see its prediction.', ko: '모델을 고치면 예측을 볼 수 있습니다.' },
  'prediction.none': { en: 'The prediction appears when MNIST has arrived.', ko: 'MNIST가 도착하면 예측이 나타납니다.' },
  'prediction.test_none': { en: 'Test accuracy: after training', ko: '테스트 정확도: 학습 후에 표시' },
  'prediction.test_evaluating': { en: 'Test accuracy: evaluating on {images} test images…', ko: '테스트 정확도: 테스트 이미지 {images}장으로 평가하는 중…' },
  'prediction.test_done': { en: 'Test accuracy: {accuracy} (loss {loss}) on {images} test images', ko: '테스트 정확도: {accuracy} (손실 {loss}), 테스트 이미지 {images}장' },

  'status.loading_engine': { en: 'Loading the engine…', ko: '엔진을 불러오는 중…' },
  'status.loading_data': { en: 'Ready to build. Downloading MNIST… {percent}', ko: '모델을 만들 수 있습니다. MNIST 내려받는 중… {percent}' },
  'status.unpacking': { en: 'Unpacking MNIST…', ko: 'MNIST 압축을 푸는 중…' },
  'status.idle': { en: 'Ready: press Train.', ko: '준비됨: 학습을 누르세요.' },
  'status.starting': { en: 'Starting…', ko: '시작하는 중…' },
  'status.training': {
    en: 'Epoch {epoch}/{epochs} · batch {batch}/{batches} · loss {loss} · accuracy {accuracy} · {speed} images/s',
    ko: '에포크 {epoch}/{epochs} · 배치 {batch}/{batches} · 손실 {loss} · 정확도 {accuracy} · 초당 {speed}장',
  },
  'status.ended.completed': {
    en: 'Done: {epochs} epoch(s) in {seconds} s · {speed} images/s · loss {loss} · accuracy {accuracy}',
    ko: '완료: {epochs}에포크, {seconds}초 · 초당 {speed}장 · 손실 {loss} · 정확도 {accuracy}',
  },
  'status.ended.stopped': {
    en: 'Stopped after {batches} batches in {seconds} s · {speed} images/s · loss {loss} · accuracy {accuracy}',
    ko: '{batches}배치 후 정지, {seconds}초 · 초당 {speed}장 · 손실 {loss} · 정확도 {accuracy}',
  },
  'status.ended.early_stopping': {
    en: 'Early stopping after epoch {stopped}; best epoch {best} · {speed} images/s',
    ko: '{stopped}에포크 후 조기 종료; 최고 에포크 {best} · 초당 {speed}장',
  },
  'status.failed': { en: 'Something went wrong: {message}', ko: '문제가 생겼습니다: {message}' },
};

Object.assign(STRINGS, LAB_STRINGS);

const listeners = new Set();

function initialLanguage() {
  const requested = new URLSearchParams(globalThis.location ? location.search : '').get('lang');
  if (requested === 'en' || requested === 'ko') return requested;
  const browser = (globalThis.navigator && navigator.language) || 'en';
  return browser.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

let language = initialLanguage();

/** The string `key` in the current language with `{name}` placeholders filled from `params`;
 * `fallback` (or the key itself) when there is no such string. */
export function t(key, params = {}, fallback) {
  const entry = STRINGS[key];
  if (!entry) return fallback !== undefined ? fallback : key;
  const text = entry[language] ?? entry.en;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

/** `en` or `ko`. */
export function getLanguage() {
  return language;
}

/** Switches the language and redraws everything that registered with `onLanguageChange`. */
export function setLanguage(next) {
  if (next === language || !(next === 'en' || next === 'ko')) return;
  language = next;
  document.documentElement.lang = next;
  translateStatic();
  for (const listener of listeners) listener(next);
}

/** Calls `listener` after every language switch. */
export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** Fills the page's fixed text: `data-i18n="key"` sets the text, `data-i18n-label="key"` the
 * `aria-label`. */
export function translateStatic(root = document) {
  document.documentElement.lang = language;
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  document.title = `${t('app.title')} — ${t('app.subtitle')}`;
}

const numberFormat = new Intl.NumberFormat('en-US');

/** `41866` → `41,866` (Keras's grouping, the same in both languages). */
export function formatNumber(value) {
  return numberFormat.format(value);
}

/** A per-sample shape as Keras prints it: `[28, 28, 32]` → `(None, 28, 28, 32)`. */
export function formatShape(shape) {
  return `(None, ${shape.join(', ')})`;
}

/** `0.9712` → `97.1%` (`digits` decimals). */
export function formatPercent(fraction, digits = 1) {
  return `${(fraction * 100).toFixed(digits)}%`;
}
